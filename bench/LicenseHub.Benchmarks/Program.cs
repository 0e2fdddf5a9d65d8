using BenchmarkDotNet.Running;
using LicenseHub.Benchmarks;

// BenchmarkDotNet:  dotnet run -c Release --project bench/LicenseHub.Benchmarks -- --filter '*'
// Paired ratios:    dotnet run -c Release --project bench/LicenseHub.Benchmarks -- paired [pairs per block, default 300]
// See bench/RESULTS.md for the exact commands and the figures they produced.
if (args.Length > 0 && args[0] == "paired")
{
    PairedRatios.Run(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchConfig());

public partial class Program;
