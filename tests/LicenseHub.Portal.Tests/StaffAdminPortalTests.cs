using LicenseHub.Portal.Tests.Infrastructure;
using LicenseHub.V1;
using Microsoft.Playwright;

namespace LicenseHub.Portal.Tests;

/// <summary>An owner unlocks a locked-out member and resets a forgotten password; another reseller's owner cannot.</summary>
[Collection(PortalCollection.Name)]
public sealed class StaffAdminPortalTests(PortalFixture fixture)
{
    private static async Task<string> SignInOnceAsync(IPage page, PortalUser user, string password)
    {
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("E-mail address").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForLoadStateAsync();
        return page.Url;
    }

    [Fact]
    public async Task Owner_UnlocksLockedMemberAndResetsTheirPassword_OtherResellerGets404()
    {
        var owner = await fixture.NewResellerOwnerAsync("Unlock Hosting Oy");
        var member = await fixture.NewStaffAsync(ApiKeyRole.Viewer, owner.ResellerId);
        var memberName = "Alex Example " + member.Email["person".Length..member.Email.IndexOf('@', StringComparison.Ordinal)];

        // Five wrong passwords lock the member out; then even the right one is refused.
        await using var memberContext = await fixture.NewContextAsync();
        var memberPage = await memberContext.NewPageAsync();
        for (var i = 0; i < 5; i++)
        {
            await SignInOnceAsync(memberPage, member, "Wrong-Password-" + i);
        }
        await SignInOnceAsync(memberPage, member, member.Password);
        await Assertions.Expect(memberPage.Locator(".alert.error")).ToContainTextAsync("locked after 5 failed sign-ins");

        await using var ownerContext = await fixture.NewContextAsync();
        var page = await ownerContext.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await page.GotoAsync("/reseller/staff");
        var row = page.Locator("tbody tr", new() { HasText = memberName });
        await Assertions.Expect(row.GetByTestId("locked")).ToBeVisibleAsync();
        var memberId = (await row.GetByRole(AriaRole.Link, new() { Name = $"Reset password of {memberName}…" }).GetAttributeAsync("href"))!.Split('=')[1];

        await row.GetByRole(AriaRole.Button, new() { Name = "Unlock " + memberName }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{memberName} is unlocked");
        await Assertions.Expect(row.GetByTestId("locked")).ToHaveCountAsync(0);
        // The member signs in again with the password they had (and is asked to replace the initial one).
        Assert.Contains("/account/password", await SignInOnceAsync(memberPage, member, member.Password), StringComparison.Ordinal);
        await memberContext.ClearCookiesAsync();

        // A forgotten password: the owner resets it and gets a one-time password, shown once.
        await row.GetByRole(AriaRole.Link, new() { Name = $"Reset password of {memberName}…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, reset the password" }).ClickAsync();
        var temporary = (await page.Locator("#temporary-password").TextContentAsync())!.Trim();
        Assert.Equal(20, temporary.Length);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy" })).ToBeVisibleAsync();
        await page.GotoAsync("/reseller/staff");
        await Assertions.Expect(page.Locator("#temporary-password")).ToHaveCountAsync(0);

        // The old password no longer works; the temporary one does, and must be changed at once.
        Assert.Contains("/sign-in", await SignInOnceAsync(memberPage, member, member.Password), StringComparison.Ordinal);
        await Assertions.Expect(memberPage.Locator(".alert.error")).ToContainTextAsync("not correct");
        Assert.Contains("/account/password", await SignInOnceAsync(memberPage, member, temporary), StringComparison.Ordinal);
        await memberContext.ClearCookiesAsync();

        // Both are in the audit trail, the password itself nowhere.
        var events = (await fixture.Vendor.ListAuditEventsAsync(new ListAuditEventsRequest { ObjectId = memberId })).Events;
        Assert.Contains(events, e => e.Action == "staff.unlock");
        Assert.Contains(events, e => e.Action == "staff.password_reset");
        Assert.DoesNotContain(temporary, string.Join("\n", events.Select(e => e.ToString())), StringComparison.Ordinal);

        // Another reseller's owner, sending the member's id through its own staff form, gets the 404 page.
        var other = await fixture.NewResellerOwnerAsync("Other Unlock Hosting AB");
        var otherMember = await fixture.NewStaffAsync(ApiKeyRole.Viewer, other.ResellerId);
        await using var otherContext = await fixture.NewContextAsync();
        var otherPage = await otherContext.NewPageAsync();
        await PortalFixture.SignInAsync(otherPage, other);
        foreach (var handler in new[] { "ResetPassword", "Unlock" })
        {
            await otherPage.GotoAsync("/reseller/staff?reset=" + await OwnIdAsync(otherPage, otherMember));
            var form = otherPage.Locator("form", new() { Has = otherPage.GetByRole(AriaRole.Button, new() { Name = "Yes, reset the password" }) });
            await form.Locator("input[name=user_id]").EvaluateAsync("(e, id) => e.value = id", memberId);
            await form.EvaluateAsync("(f, h) => f.action = '/reseller/staff?handler=' + h", handler);
            var response = await otherPage.RunAndWaitForResponseAsync(() => form.GetByRole(AriaRole.Button).First.ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.Contains("handler=" + handler, StringComparison.Ordinal));
            Assert.Equal(404, response.Status);
        }
        var after = (await fixture.Vendor.ListAuditEventsAsync(new ListAuditEventsRequest { ObjectId = memberId })).Events;
        Assert.Equal(events.Count, after.Count);
        await memberContext.ClearCookiesAsync();
        Assert.Contains("/account/password", await SignInOnceAsync(memberPage, member, temporary), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordResetByTheOwner_EndsTheMembersOpenSession_AtItsNextRequest()
    {
        var owner = await fixture.NewResellerOwnerAsync("Session Hosting Oy");
        var member = await fixture.NewStaffAsync(ApiKeyRole.Viewer, owner.ResellerId);
        var memberName = "Alex Example " + member.Email["person".Length..member.Email.IndexOf('@', StringComparison.Ordinal)];
        await using var memberContext = await fixture.NewContextAsync();
        var memberPage = await memberContext.NewPageAsync();
        await PortalFixture.SignInAsync(memberPage, member);
        // The member's own security page makes an authenticator key (a new security stamp): their session stays.
        await memberPage.GotoAsync("/account/security");
        await memberPage.GotoAsync("/reseller");
        Assert.EndsWith("/reseller", memberPage.Url, StringComparison.Ordinal);

        await using var ownerContext = await fixture.NewContextAsync();
        var page = await ownerContext.NewPageAsync();
        await PortalFixture.SignInAsync(page, owner);
        await page.GotoAsync("/reseller/staff");
        var row = page.Locator("tbody tr", new() { HasText = memberName });
        await row.GetByRole(AriaRole.Link, new() { Name = $"Reset password of {memberName}…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, reset the password" }).ClickAsync();
        await Assertions.Expect(page.Locator("#temporary-password")).ToBeVisibleAsync();

        // Whoever holds the member's session (a stolen cookie, a shared machine) is out at the next page.
        await memberPage.GotoAsync("/reseller");
        Assert.Contains("/sign-in", memberPage.Url, StringComparison.Ordinal);
        await Assertions.Expect(memberPage.GetByRole(AriaRole.Status)).ToContainTextAsync("your password was reset or your role changed");
        // The owner's own session is untouched.
        await page.GotoAsync("/reseller/staff");
        Assert.EndsWith("/reseller/staff", page.Url, StringComparison.Ordinal);
    }

    private static async Task<string> OwnIdAsync(IPage page, PortalUser member)
    {
        await page.GotoAsync("/reseller/staff");
        var row = page.Locator("tbody tr", new() { HasText = member.Email });
        return (await row.Locator("a[href^='?reset=']").GetAttributeAsync("href"))!.Split('=')[1];
    }
}
