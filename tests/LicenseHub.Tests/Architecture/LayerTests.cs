using System.Reflection;
using NetArchTest.Rules;

namespace LicenseHub.Tests.Architecture;

/// <summary>
/// The directions docs/architecture.md draws, kept by the compiler's output rather than by review: each
/// rule fails naming the types that break it.
/// </summary>
public sealed class LayerTests
{
    private const string Server = "LicenseHub.Server";

    private static readonly Assembly ServerAssembly = typeof(global::LicenseHub.Server.Hosting.ServiceRegistration).Assembly;
    private static readonly Assembly DomainAssembly = typeof(global::LicenseHub.Domain.Licensing.License).Assembly;
    private static readonly Assembly TokensAssembly = typeof(global::LicenseHub.Tokens.TokenSigner).Assembly;
    private static readonly Assembly DataAssembly = typeof(global::LicenseHub.Data.LicenseHubDbContext).Assembly;

    /// <summary>What every feature may build on, and which builds on no feature.</summary>
    public static readonly string[] Foundation = ["Security", "Persistence", "Operations"];

    /// <summary>The use cases, grouped by feature; they may use one another without a loop.</summary>
    public static readonly string[] Features = ["Audit", "Signing", "Catalog", "Resellers", "Staff", "Pools", "Licensing", "Agents", "Privacy", "Events"];

    /// <summary>The faces callers see: they translate and delegate.</summary>
    public static readonly string[] Edges = ["Grpc", "Portal"];

    private static readonly string[] Transport = ["LicenseHub.V1", "Google.Protobuf", "Google.Rpc", "Grpc.Core", "Grpc.AspNetCore"];

    [Fact]
    public void Domain_DependsOnNothingOfOurs()
    {
        AssertNone(Types.InAssembly(DomainAssembly).ShouldNot().HaveDependencyOnAny(
            "LicenseHub.Data", "LicenseHub.Server", "LicenseHub.Tokens", "LicenseHub.V1",
            "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "Grpc", "Google.Protobuf").GetResult(), "Domain");
    }

    [Fact]
    public void Tokens_DependsOnNothingOfOurs()
    {
        AssertNone(Types.InAssembly(TokensAssembly).ShouldNot().HaveDependencyOnAny(
            "LicenseHub.Domain", "LicenseHub.Data", "LicenseHub.Server", "LicenseHub.V1").GetResult(), "Tokens");
    }

    [Fact]
    public void Data_NeverDependsOnTheServer()
    {
        AssertNone(Types.InAssembly(DataAssembly).ShouldNot().HaveDependencyOnAny("LicenseHub.Server", "LicenseHub.V1").GetResult(), "Data");
    }

    [Fact]
    public void Features_NeverDependOnEdgesHostingOrTransport()
    {
        string[] forbidden = [.. Edges.Select(Ns), Ns("Hosting"), .. Transport, "Microsoft.AspNetCore.Mvc"];
        AssertNone(Features.Select(f => (f, InServer(f).ShouldNot().HaveDependencyOnAny(forbidden).GetResult())));
    }

    [Fact]
    public void Foundation_NeverDependsOnFeaturesEdgesOrHosting()
    {
        string[] forbidden = [.. Features.Select(Ns), .. Edges.Select(Ns), Ns("Hosting"), .. Transport];
        AssertNone(Foundation.Select(p => (p, InServer(p).ShouldNot().HaveDependencyOnAny(forbidden).GetResult())));
    }

    [Fact]
    public void Grpc_AndPortal_NeverDependOnEachOther()
    {
        AssertNone(InServer("Grpc").ShouldNot().HaveDependencyOnAny(Ns("Portal")).GetResult(), "Grpc");
        AssertNone(InServer("Portal").ShouldNot().HaveDependencyOnAny([Ns("Grpc"), .. Transport]).GetResult(), "Portal");
    }

    [Fact]
    public void OnlyProgram_DependsOnHosting()
    {
        var result = ServerTypes.Value
            .That().DoNotResideInNamespace(Ns("Hosting")).And().DoNotHaveName("Program")
            .ShouldNot().HaveDependencyOnAny(Ns("Hosting")).GetResult();
        AssertNone(result, "everything outside Hosting");
    }

    [Fact]
    public void Features_AndFoundation_HaveNoLoops()
    {
        AssertAcyclic(Features);
        AssertAcyclic(Foundation);
    }

    /// <summary>
    /// Builds "A uses B" between the given namespaces from the compiled types and fails on the first loop,
    /// naming for each step of it the types that make it.
    /// </summary>
    private static void AssertAcyclic(string[] parts)
    {
        var uses = new Dictionary<string, Dictionary<string, string[]>>();
        foreach (var from in parts)
        {
            uses[from] = [];
            foreach (var to in parts.Where(p => p != from))
            {
                var types = InServer(from).And().HaveDependencyOnAny(Ns(to)).GetTypes().Select(t => t.FullName!).ToArray();
                if (types.Length > 0)
                {
                    uses[from][to] = types;
                }
            }
        }
        var state = parts.ToDictionary(p => p, _ => 0);
        var path = new List<string>();
        foreach (var start in parts)
        {
            if (FindLoop(start) is { } loop)
            {
                var steps = loop.Zip(loop.Skip(1), (a, b) => $"{a} -> {b} (by {string.Join(", ", uses[a][b].Take(3))})");
                Assert.Fail("Namespaces depend on each other in a loop:\n  " + string.Join("\n  ", steps));
            }
        }

        List<string>? FindLoop(string node)
        {
            if (state[node] == 2)
            {
                return null;
            }
            if (state[node] == 1)
            {
                return [.. path.Skip(path.IndexOf(node)), node];
            }
            state[node] = 1;
            path.Add(node);
            foreach (var next in uses[node].Keys)
            {
                if (FindLoop(next) is { } loop)
                {
                    return loop;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    // Read once: every rule asks the same compiled types.
    private static readonly Lazy<Types> ServerTypes = new(() => Types.InAssembly(ServerAssembly));

    private static PredicateList InServer(string part) => ServerTypes.Value.That().ResideInNamespace(Ns(part));

    private static string Ns(string part) => $"{Server}.{part}";

    private static void AssertNone(TestResult result, string what) => AssertNone([(what, result)]);

    private static void AssertNone(IEnumerable<(string What, TestResult Result)> results)
    {
        var broken = results.Where(r => !r.Result.IsSuccessful)
            .Select(r => $"{r.What} breaks its layer rule: {string.Join(", ", r.Result.FailingTypes?.Select(t => t.FullName) ?? [])}")
            .ToList();
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }
}
