using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LicenseHub.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class KeptCheckInToken : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CurrentToken",
                table: "Installations",
                type: "TEXT",
                maxLength: 4096,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "CurrentTokenClaimsHash",
                table: "Installations",
                type: "BLOB",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CurrentTokenExpiresAt",
                table: "Installations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CurrentTokenIssuedAt",
                table: "Installations",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CurrentToken",
                table: "Installations");

            migrationBuilder.DropColumn(
                name: "CurrentTokenClaimsHash",
                table: "Installations");

            migrationBuilder.DropColumn(
                name: "CurrentTokenExpiresAt",
                table: "Installations");

            migrationBuilder.DropColumn(
                name: "CurrentTokenIssuedAt",
                table: "Installations");
        }
    }
}
