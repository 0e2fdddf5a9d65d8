using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LicenseHub.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PricedOrders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Priced orders: renewal price and return window on plans; kind, terms and the plan left on orders (orders so
            // far are purchases of one term); the licenses an order covered; a scheduled downgrade and a return on
            // licenses; the keys of recent assignments, kept encrypted for 24 hours so a retried call gets them again.
            migrationBuilder.AddColumn<long>(
                name: "RenewalPriceMinor",
                table: "Plans",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "ReturnWindowDays",
                table: "Plans",
                type: "INTEGER",
                nullable: false,
                defaultValue: 14);

            // Every plan so far renews at its price (the vendor sets another for new plans).
            migrationBuilder.Sql("UPDATE \"Plans\" SET \"RenewalPriceMinor\" = \"PriceMinor\";");

            migrationBuilder.AlterColumn<Guid>(
                name: "PoolId",
                table: "Orders",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AddColumn<Guid>(
                name: "FromPlanId",
                table: "Orders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "Orders",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "Purchase");

            migrationBuilder.AddColumn<int>(
                name: "Terms",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<Guid>(
                name: "PendingPlanId",
                table: "Licenses",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ReturnedAt",
                table: "Licenses",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AssignmentReplays",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ResellerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PoolId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AssignmentReplays", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AssignmentReplays_Pools_PoolId",
                        column: x => x.PoolId,
                        principalTable: "Pools",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OrderLicenses",
                columns: table => new
                {
                    OrderId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LicenseId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderLicenses", x => new { x.OrderId, x.LicenseId });
                    table.ForeignKey(
                        name: "FK_OrderLicenses_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AssignmentReplayKeys",
                columns: table => new
                {
                    AssignmentReplayId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    LicenseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EncryptedKey = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AssignmentReplayKeys", x => new { x.AssignmentReplayId, x.Position });
                    table.ForeignKey(
                        name: "FK_AssignmentReplayKeys_AssignmentReplays_AssignmentReplayId",
                        column: x => x.AssignmentReplayId,
                        principalTable: "AssignmentReplays",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_FromPlanId",
                table: "Orders",
                column: "FromPlanId");

            migrationBuilder.AddCheckConstraint(
                name: "CK_Orders_Amount",
                table: "Orders",
                sql: "\"AmountMinor\" >= 0");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_At",
                table: "AuditEvents",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_AssignmentReplayKeys_LicenseId",
                table: "AssignmentReplayKeys",
                column: "LicenseId");

            migrationBuilder.CreateIndex(
                name: "IX_AssignmentReplays_CreatedAt",
                table: "AssignmentReplays",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_AssignmentReplays_PoolId",
                table: "AssignmentReplays",
                column: "PoolId");

            migrationBuilder.CreateIndex(
                name: "IX_AssignmentReplays_ResellerId_IdempotencyKey",
                table: "AssignmentReplays",
                columns: new[] { "ResellerId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OrderLicenses_LicenseId",
                table: "OrderLicenses",
                column: "LicenseId");

            migrationBuilder.AddForeignKey(
                name: "FK_Orders_Plans_FromPlanId",
                table: "Orders",
                column: "FromPlanId",
                principalTable: "Plans",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Orders_Plans_FromPlanId",
                table: "Orders");

            migrationBuilder.DropTable(
                name: "AssignmentReplayKeys");

            migrationBuilder.DropTable(
                name: "OrderLicenses");

            migrationBuilder.DropTable(
                name: "AssignmentReplays");

            migrationBuilder.DropIndex(
                name: "IX_Orders_FromPlanId",
                table: "Orders");

            migrationBuilder.DropCheckConstraint(
                name: "CK_Orders_Amount",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_At",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "RenewalPriceMinor",
                table: "Plans");

            migrationBuilder.DropColumn(
                name: "ReturnWindowDays",
                table: "Plans");

            migrationBuilder.DropColumn(
                name: "FromPlanId",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "Terms",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "PendingPlanId",
                table: "Licenses");

            migrationBuilder.DropColumn(
                name: "ReturnedAt",
                table: "Licenses");

            migrationBuilder.AlterColumn<Guid>(
                name: "PoolId",
                table: "Orders",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
