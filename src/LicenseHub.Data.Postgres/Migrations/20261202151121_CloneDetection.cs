using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LicenseHub.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CloneDetection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "CheckInTicketHash",
                table: "Installations",
                type: "bytea",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CheckInTicketPresented",
                table: "Installations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "CloneSuspectedAt",
                table: "Installations",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "PreviousCheckInTicketHash",
                table: "Installations",
                type: "bytea",
                maxLength: 32,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CheckInTicketHash",
                table: "Installations");

            migrationBuilder.DropColumn(
                name: "CheckInTicketPresented",
                table: "Installations");

            migrationBuilder.DropColumn(
                name: "CloneSuspectedAt",
                table: "Installations");

            migrationBuilder.DropColumn(
                name: "PreviousCheckInTicketHash",
                table: "Installations");
        }
    }
}
