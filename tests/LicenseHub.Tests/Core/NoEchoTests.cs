using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using LicenseHub.Tests.Infrastructure;
using LicenseHub.V1;

namespace LicenseHub.Tests.Core;

/// <summary>
/// An error never repeats the value that failed: the value may be personal data, a secret typed into the wrong
/// field, or a line break that forges log entries wherever the status detail is written.
/// </summary>
public sealed class NoEchoTests : IDisposable
{
    private const string Marker = "Zq7Echo";
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create<byte[]>(b => b, b => b);

    private readonly LicenseHubFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    /// <summary>The request with every string field, also of nested messages, set to <paramref name="value"/>.</summary>
    private static IMessage Filled(MessageDescriptor descriptor, string value, int depth = 0)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (field.IsMap)
            {
                continue;
            }
            object? item = field.FieldType switch
            {
                FieldType.String => value,
                FieldType.Message when depth < 2 && field.MessageType.FullName.StartsWith("licensehub.", StringComparison.Ordinal) => Filled(field.MessageType, value, depth + 1),
                _ => null,
            };
            if (item is null)
            {
                continue;
            }
            if (field.IsRepeated)
            {
                ((IList)field.Accessor.GetValue(message)).Add(item);
            }
            else
            {
                field.Accessor.SetValue(message, item);
            }
        }
        return message;
    }

    [Fact]
    public async Task EveryUnaryRpc_EveryStringFieldRefused_NeverEchoesTheValue()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var invoker = _factory.Channel.CreateCallInvoker();
        var echoes = new List<string>();
        var refusals = 0;
        foreach (var service in new[] { VendorService.Descriptor, ResellerService.Descriptor, AgentService.Descriptor, AuditService.Descriptor })
        {
            foreach (var method in service.Methods.Where(m => !m.IsClientStreaming && !m.IsServerStreaming))
            {
                // A line break (refused as a control character), an injected log line, and text that only its rule refuses.
                foreach (var value in new[] { $"{Marker}\nERROR forged", $"{Marker}-x \u202E", Marker + "@example.com", $"../{Marker}" })
                {
                    var key = service == ResellerService.Descriptor ? reseller.OwnerKey : _factory.VendorKey;
                    var call = invoker.AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, service.FullName, method.Name, Raw, Raw), null,
                        new CallOptions(new Metadata { { "authorization", "Bearer " + key } }), Filled(method.InputType, value).ToByteArray());
                    try
                    {
                        await call;
                    }
                    catch (RpcException ex)
                    {
                        refusals++;
                        var texts = new List<string> { ex.Status.Detail };
                        texts.AddRange(ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.SelectMany(v => new[] { v.Field, v.Description }) ?? []);
                        if (texts.Any(t => t.Contains(Marker, StringComparison.Ordinal)))
                        {
                            echoes.Add($"{method.FullName} ({ex.StatusCode}): {ex.Status.Detail}");
                        }
                    }
                }
            }
        }

        Assert.True(refusals > 100, $"only {refusals} calls were refused");
        Assert.True(echoes.Count == 0, "Echoed:\n" + string.Join("\n", echoes.Distinct()));
    }

    private static void AssertNoEcho(RpcException ex, string value)
    {
        var texts = new List<string> { ex.Status.Detail };
        texts.AddRange(ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Description) ?? []);
        Assert.DoesNotContain(texts, t => t.Contains(value, StringComparison.OrdinalIgnoreCase) || t.Any(char.IsControl));
    }

    [Fact]
    public async Task CreateStaffUser_EmailTakenAlready_DoesNotRepeatTheAddress()
    {
        var request = new CreateStaffUserRequest { Email = "zq7echo.staff@example.com", DisplayName = "Vendor Desk", Role = ApiKeyRole.VendorAuditor };
        await _factory.Vendor().CreateStaffUserAsync(request);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _factory.Vendor().CreateStaffUserAsync(request));

        AssertNoEcho(ex, "zq7echo");
        AssertNoEcho(ex, request.Email);
    }

    [Fact]
    public async Task GetLicense_UnknownIdPaddedWithLineBreaks_IsNotFound_WithoutTheLineBreaks()
    {
        var scenario = await Scenario.CreateAsync(_factory);
        var reseller = await scenario.AddResellerAsync();
        var padded = "\r\n" + Guid.NewGuid() + "\r\nERROR forged\r\n"[..2];

        var ex = await RpcAssert.Fails(StatusCode.NotFound, () => _factory.Reseller(reseller.OwnerKey).GetLicenseAsync(new GetLicenseRequest { LicenseId = padded }));

        AssertNoEcho(ex, "\r\n");
    }

    [Fact]
    public void IdentityErrors_OfTheServer_StateTheRuleWithoutTheValue()
    {
        using var scope = _factory.Services.CreateScope();
        var describer = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.IdentityErrorDescriber>();
        const string value = "zq7echo@example.com";

        Assert.All(new[] { describer.DuplicateEmail(value), describer.DuplicateUserName(value), describer.InvalidEmail(value), describer.InvalidUserName(value) },
            e => Assert.DoesNotContain(value, e.Description, StringComparison.OrdinalIgnoreCase));
    }
}
