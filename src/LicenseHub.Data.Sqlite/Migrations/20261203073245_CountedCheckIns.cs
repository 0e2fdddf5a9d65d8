using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LicenseHub.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CountedCheckIns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Counted",
                table: "CheckIns",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Counted",
                table: "CheckIns");
        }
    }
}
