using Grpc.Core;
using LicenseHub.Server.Security;
using LicenseHub.Server.Staff;
using LicenseHub.V1;

namespace LicenseHub.Server.Grpc;

/// <summary>VendorService.CreateStaffUser: the first portal users, for vendors and their tools (lhctl, tests).</summary>
public sealed partial class VendorGrpcService
{
    [Requires(Permission.VendorAdmin)]
    public override async Task<CreateStaffUserResponse> CreateStaffUser(CreateStaffUserRequest request, ServerCallContext context)
    {
        var (user, password) = await staff.CreateAsync(Caller, new NewStaffUser(request.Email, request.DisplayName,
            ProtoMapping.FromProto(request.Role), request.ResellerId), context.CancellationToken);
        return new CreateStaffUserResponse
        {
            User = new StaffUserInfo
            {
                Id = user.Id.ToString(),
                Email = user.Email ?? "",
                DisplayName = user.DisplayName ?? "",
                Role = ProtoMapping.ToProto(user.Role),
                ResellerId = user.ResellerId?.ToString() ?? "",
                CreatedAt = user.CreatedAt.ToProto(),
            },
            InitialPassword = password,
        };
    }
}
