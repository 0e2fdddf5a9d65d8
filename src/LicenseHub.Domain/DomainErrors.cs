namespace LicenseHub.Domain;

/// <summary>Base of the errors the domain raises; the server maps each kind to one gRPC status.</summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>
/// The object does not exist, or belongs to another tenant (never reveal which). The message names the id only in
/// its canonical form: the text as sent is never repeated, as it may carry line breaks into logs or be anything but an id.
/// </summary>
public sealed class NotFoundException(string objectType, string id)
    : DomainException(Guid.TryParse(id, out var canonical) ? $"{objectType} '{canonical:D}' was not found." : $"The {objectType} was not found.")
{
    /// <summary>Kind of object looked for.</summary>
    public string ObjectType { get; } = objectType;
}

/// <summary>The caller's role does not allow the operation.</summary>
public sealed class PermissionDeniedException(string message) : DomainException(message);

/// <summary>The caller is not authenticated.</summary>
public sealed class UnauthenticatedException(string message) : DomainException(message);

/// <summary>The operation is not possible in the current state (pool exhausted, license revoked, ...).</summary>
public sealed class PreconditionFailedException(string message) : DomainException(message);

/// <summary>The object already exists (unique code, ...).</summary>
public sealed class AlreadyExistsException(string message) : DomainException(message);

/// <summary>Too many attempts; retry after the given delay.</summary>
public sealed class RateLimitedException(TimeSpan retryAfter)
    : DomainException($"Too many attempts; retry in {Math.Ceiling(retryAfter.TotalSeconds)} s.")
{
    /// <summary>How long to wait before retrying.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>One invalid field of a request.</summary>
/// <param name="Field">The field path, as named in the request (snake_case proto name).</param>
/// <param name="Description">What is wrong, in plain words.</param>
public sealed record FieldViolation(string Field, string Description);

/// <summary>The request has invalid fields. Nothing of it is stored.</summary>
public sealed class ValidationException(IReadOnlyList<FieldViolation> violations)
    : DomainException("Invalid request: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")))
{
    /// <summary>Creates an exception for a single field.</summary>
    public ValidationException(string field, string description) : this([new FieldViolation(field, description)]) { }

    /// <summary>Every invalid field.</summary>
    public IReadOnlyList<FieldViolation> Violations { get; } = violations;
}
