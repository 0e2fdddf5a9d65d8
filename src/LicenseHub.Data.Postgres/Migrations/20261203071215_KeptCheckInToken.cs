using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LicenseHub.Data.Postgres.Migrations
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
                type: "character varying(4096)",
                maxLength: 4096,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "CurrentTokenClaimsHash",
                table: "Installations",
                type: "bytea",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CurrentTokenExpiresAt",
                table: "Installations",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CurrentTokenIssuedAt",
                table: "Installations",
                type: "bigint",
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
