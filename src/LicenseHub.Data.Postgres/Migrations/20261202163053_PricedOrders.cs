using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LicenseHub.Data.Postgres.Migrations
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
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "ReturnWindowDays",
                table: "Plans",
                type: "integer",
                nullable: false,
                defaultValue: 14);

            // Every plan so far renews at its price (the vendor sets another for new plans).
            migrationBuilder.Sql("UPDATE \"Plans\" SET \"RenewalPriceMinor\" = \"PriceMinor\";");

            migrationBuilder.AlterColumn<Guid>(
                name: "PoolId",
                table: "Orders",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<Guid>(
                name: "FromPlanId",
                table: "Orders",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "Orders",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Purchase");

            migrationBuilder.AddColumn<int>(
                name: "Terms",
                table: "Orders",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<Guid>(
                name: "PendingPlanId",
                table: "Licenses",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ReturnedAt",
                table: "Licenses",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AssignmentReplays",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ResellerId = table.Column<Guid>(type: "uuid", nullable: false),
                    ActorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PoolId = table.Column<Guid>(type: "uuid", nullable: false),
                    RequestHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
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
                    OrderId = table.Column<Guid>(type: "uuid", nullable: false),
                    LicenseId = table.Column<Guid>(type: "uuid", nullable: false)
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
                    AssignmentReplayId = table.Column<Guid>(type: "uuid", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    LicenseId = table.Column<Guid>(type: "uuid", nullable: false),
                    EncryptedKey = table.Column<byte[]>(type: "bytea", nullable: false)
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
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);
        }
    }
}
