using System.CommandLine;
using LicenseHub.Cli.Output;
using LicenseHub.V1;

namespace LicenseHub.Cli.Commands;

/// <summary>lhctl product …  (vendor)</summary>
public static class ProductCommands
{
    public static Command Create(CliContext cli)
    {
        var product = new Command("product", "Products the vendor sells (vendor key).");
        product.Add(CreateProduct(cli));
        product.Add(ListProducts(cli));
        return product;
    }

    private static Command CreateProduct(CliContext cli)
    {
        var code = new Option<string>("--code")
        {
            Description = "Short identifier: 2..40 lower-case letters, digits and dashes, e.g. 'panel'.",
            Required = true,
        };
        var name = new Option<string>("--name") { Description = "Display name, e.g. 'Hosting Panel'.", Required = true };
        var command = new Command("create", "Create a product; plans are then added to it with 'lhctl plan create'.") { code, name };
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var created = await session.Vendor.CreateProductAsync(
                new CreateProductRequest { Code = parse.GetValue(code)!, Name = parse.GetValue(name)! }, cancellationToken: ct);
            session.Printer.Print(created, o =>
            {
                o.WriteLine($"Created product {created.Code} ({created.Name}).");
                o.WriteLine($"  id: {created.Id}");
                o.WriteLine($"Next: lhctl plan create --product {created.Id} --code ... --edition ... --term-days 365 --max-machines 1 --price 19.99 --currency EUR");
            });
        });
        return command;
    }

    private static Command ListProducts(CliContext cli)
    {
        var command = new Command("list", "List all products.");
        cli.SetCall(command, async (session, parse, ct) =>
        {
            var response = await session.Vendor.ListProductsAsync(new ListProductsRequest(), cancellationToken: ct);
            session.Printer.Print(response, o =>
            {
                if (response.Products.Count == 0)
                {
                    o.WriteLine("No products yet. Create one with 'lhctl product create --code CODE --name NAME'.");
                    return;
                }
                var table = new Table("ID", "CODE", "NAME", "CREATED");
                foreach (var p in response.Products)
                {
                    table.Add(p.Id, p.Code, p.Name, Display.Time(p.CreatedAt));
                }
                table.WriteTo(o);
            });
        });
        return command;
    }
}
