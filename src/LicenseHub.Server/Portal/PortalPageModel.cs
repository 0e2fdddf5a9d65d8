using LicenseHub.Data.Identity;
using LicenseHub.Domain;
using LicenseHub.Server.Security;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LicenseHub.Server.Portal;

/// <summary>
/// Base of the portal pages: the caller for the feature code, and domain errors turned into messages a person
/// understands, next to the field they are about (fields are named as in the API, e.g. "quantity").
/// </summary>
public abstract class PortalPageModel : PageModel
{
    public Dictionary<string, string> FieldErrors { get; } = new(StringComparer.Ordinal);

    /// <summary>A problem with the whole request (not one field), shown at the top of the form.</summary>
    public string? Error { get; set; }

    /// <summary>What the last action did, shown once after a redirect.</summary>
    [TempData]
    public string? Notice { get; set; }

    protected Caller Caller => HttpContext.RequestServices.GetRequiredService<CallerAccessor>().Caller;

    public StaffUser Staff => (StaffUser)HttpContext.Items[PortalPageFilter.StaffItem]!;

    /// <summary>What the page offers (buttons, links); the handlers themselves declare what they require.</summary>
    public bool Can(Permission permission) => Caller.Has(permission);

    public string? ErrorFor(string field) => FieldErrors.GetValueOrDefault(field);

    /// <summary>For aria-invalid: "true" on a field with an error, otherwise no attribute.</summary>
    public string? Invalid(string field) => FieldErrors.ContainsKey(field) ? "true" : null;

    /// <summary>The message under a field, referenced by the field's aria-describedby.</summary>
    public IHtmlContent ErrorTag(string field) => FieldErrors.TryGetValue(field, out var message)
        ? new HtmlString($"<p class=\"field-error\" id=\"{HtmlEncoder.Default.Encode(field)}-error\">{HtmlEncoder.Default.Encode(message)}</p>")
        : HtmlString.Empty;

    /// <summary>Runs a feature call; false (with the messages set) when the domain refused it.</summary>
    protected async Task<bool> TryAsync(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (ValidationException e)
        {
            foreach (var violation in e.Violations)
            {
                FieldErrors.TryAdd(violation.Field, Sentence(violation.Description));
            }
            Error = FieldErrors.Count == 1 ? "Please correct the field marked below." : "Please correct the fields marked below.";
            return false;
        }
        catch (Exception e) when (e is PreconditionFailedException or AlreadyExistsException or PermissionDeniedException or RateLimitedException)
        {
            Error = e.Message;
            return false;
        }
    }

    /// <summary>Post/redirect/get: the notice survives the redirect once.</summary>
    protected IActionResult Done(string notice, string page, object? routeValues = null)
    {
        Notice = notice;
        return RedirectToPage(page, routeValues);
    }

    public static string Sentence(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }
        var sentence = char.ToUpperInvariant(text[0]) + text[1..];
        return sentence.EndsWith('.') ? sentence : sentence + ".";
    }
}
