using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LicenseHub.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ForgottenSeats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Existing plans get the default of new ones: a paid renewal gives the transfer budget back.
            migrationBuilder.AddColumn<bool>(
                name: "RestoreTransfersOnRenewal",
                table: "Plans",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<long>(
                name: "OfflineFileExpiresAt",
                table: "Installations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ForgottenSeats",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    LicenseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ForgottenOn = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ForgottenSeats", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ForgottenSeats_Licenses_LicenseId",
                        column: x => x.LicenseId,
                        principalTable: "Licenses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ForgottenSeats_LicenseId",
                table: "ForgottenSeats",
                column: "LicenseId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ForgottenSeats");

            migrationBuilder.DropColumn(
                name: "RestoreTransfersOnRenewal",
                table: "Plans");

            migrationBuilder.DropColumn(
                name: "OfflineFileExpiresAt",
                table: "Installations");
        }
    }
}
