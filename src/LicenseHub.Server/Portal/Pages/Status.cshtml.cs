using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Authorization;

namespace LicenseHub.Server.Portal.Pages;

/// <summary>What a person sees for an error status: plain words, never a stack trace.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class StatusModel : PortalPageModel
{
    public int Code { get; private set; }

    public string Heading { get; private set; } = "";

    public string Explanation { get; private set; } = "";

    public bool SignedIn => HttpContext.Items.ContainsKey(PortalPageFilter.StaffItem);

    public void OnGet(int code) => Describe(code);

    public void OnPost(int code) => Describe(code);

    private void Describe(int code)
    {
        Code = code;
        (Heading, Explanation) = code switch
        {
            400 => ("The form could not be accepted",
                "The form had expired or did not come from this portal (its security token was missing or invalid). Go back, reload the page and try again."),
            403 => ("Not available to your role", "Your role does not include this page. Ask an owner or administrator if you need access."),
            404 => ("Not found", "There is nothing here, or it belongs to another account."),
            _ => ("Something went wrong", "The request could not be completed. Please try again in a moment."),
        };
        Response.StatusCode = code is >= 400 and < 600 ? code : 500;
    }
}
