using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project bench/LicenseHub.Benchmarks -- --filter '*'
// See bench/RESULTS.md for the exact commands and the figures they produced.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchConfig());

public partial class Program;
