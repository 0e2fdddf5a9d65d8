using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LicenseHub.Data;
using LicenseHub.Domain.Events;
using LicenseHub.Server.Audit;
using LicenseHub.Server.Operations;
using LicenseHub.Server.Persistence;
using LicenseHub.Server.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly.Contrib.WaitAndRetry;
using StandardWebhooks;

namespace LicenseHub.Server.Events;

/// <summary>
/// Delivers webhooks as the Standard Webhooks specification describes them: a JSON body of <c>type</c>,
/// <c>timestamp</c> and <c>data</c>, with <c>webhook-id</c> (the event id, the same on every retry),
/// <c>webhook-timestamp</c> and <c>webhook-signature</c> (HMAC-SHA256, signed by the StandardWebhooks package).
/// <para>
/// Deliveries are rows, so retries survive restarts: each replica claims due ones for a lease (on PostgreSQL with
/// <c>FOR UPDATE SKIP LOCKED</c>, so two replicas never claim the same one), sends them, and records the answer while
/// it still holds the lease. A replica that dies mid-delivery leaves its lease to run out, and any replica sends the
/// delivery again after that. Failures are retried with exponential backoff and jitter (Polly's decorrelated
/// jitter) for <see cref="WebhookOptions.RetryFor"/>; an endpoint failing for <see cref="WebhookOptions.DisableAfter"/>
/// is disabled and the reseller told (<c>webhook_endpoint.disabled</c> in its feed and on its other endpoints).
/// Redirects are not followed; only the status code and a short reason of a failed answer are kept, never its body.
/// </para>
/// </summary>
public sealed class WebhookDispatcher : BackgroundService
{
    private const int ClaimBatch = 32;

    private readonly IServiceScopeFactory _scopes;
    private readonly IOptions<LicenseHubOptions> _options;
    private readonly TimeProvider _clock;
    private readonly EventSignal _signal;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly HttpClient _http;

    /// <summary>This process's claims; a restarted replica is a new owner, so it never trusts a lease of its former self.</summary>
    public Guid ReplicaId { get; } = Guid.NewGuid();

    public WebhookDispatcher(IServiceScopeFactory scopes, IOptions<LicenseHubOptions> options, TimeProvider clock, EventSignal signal,
        DestinationPolicy destinations, ILogger<WebhookDispatcher> logger)
    {
        _scopes = scopes;
        _options = options;
        _clock = clock;
        _signal = signal;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectCallback = destinations.ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = options.Value.Webhooks.AttemptTimeout,
        })
        {
            Timeout = options.Value.Webhooks.AttemptTimeout,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("LicenseHub-Webhooks", "1"));
    }

    private WebhookOptions Options => _options.Value.Webhooks;

    private string? _lastProblem;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.Deliver)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await DeliverDueAsync(stoppingToken);
                _lastProblem = null;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested
                && (ex is StorageUnavailableException || StorageHealth.CauseOf(ex) is not null))
            {
                // The database is down (a unit of work says so, or the read before one met it): StorageHealth says so once
                // per change, and calls answer UNAVAILABLE. Nothing to add.
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Once per distinct problem, not once a second while it lasts.
                if (ex.Message != _lastProblem)
                {
                    _lastProblem = ex.Message;
                    _logger.LogWarning(ex, "Webhook deliveries could not be claimed or recorded; retrying every {Interval}", Options.PollInterval);
                }
            }
            if (sent == 0)
            {
                try
                {
                    await _signal.WaitAsync(Options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _http.Dispose();
    }

    /// <summary>Claims the due deliveries (up to a batch), sends them and records the answers; returns how many were sent.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(ct);
        if (claimed.Count == 0)
        {
            return 0;
        }
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.Concurrency), CancellationToken = ct },
            async (delivery, token) => await SendAsync(delivery, token));
        return claimed.Count;
    }

    private async Task<IReadOnlyList<Guid>> ClaimAsync(CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        // A read first: an idle replica takes no write lock every poll (on SQLite that lock is the database's only
        // one), and an empty write transaction would count as storage recovering while the disk is still full.
        var due = _clock.Now();
        if (!await db.WebhookDeliveries.AsNoTracking().AnyAsync(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= due, ct))
        {
            return [];
        }
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        return await unitOfWork.RunAsync(async token =>
        {
            var now = _clock.Now();
            var nowMs = now.ToUnixTimeMilliseconds();
            var pending = WebhookDeliveryStatus.Pending.ToString();
            // Skip what another replica holds: each due delivery goes to one replica at a time.
            var ids = db.Database.IsNpgsql()
                ? await db.Database.SqlQuery<Guid>($"""
                    SELECT "Id" AS "Value" FROM "WebhookDeliveries"
                    WHERE "Status" = {pending} AND "NextAttemptAt" <= {nowMs} AND ("LeaseUntil" IS NULL OR "LeaseUntil" < {nowMs})
                    ORDER BY "NextAttemptAt" LIMIT {ClaimBatch} FOR UPDATE SKIP LOCKED
                    """).ToListAsync(token)
                : await db.WebhookDeliveries.Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now
                        && (d.LeaseUntil == null || d.LeaseUntil < now))
                    .OrderBy(d => d.NextAttemptAt).Select(d => d.Id).Take(ClaimBatch).ToListAsync(token);
            if (ids.Count > 0)
            {
                var until = now + Options.Lease;
                var owner = ReplicaId;
                await db.WebhookDeliveries.Where(d => ids.Contains(d.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseOwner, owner).SetProperty(d => d.LeaseUntil, until), token);
            }
            return ids;
        }, ct);
    }

    private async Task SendAsync(Guid deliveryId, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId, ct);
        if (delivery is null || delivery.LeaseOwner != ReplicaId)
        {
            return;
        }
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, ct);
        var ev = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Sequence == delivery.EventSequence, ct);
        Outcome outcome;
        if (endpoint is null || endpoint.DisabledAt is not null || ev is null)
        {
            outcome = new Outcome(false, null, endpoint is null || endpoint.DisabledAt is not null ? "endpoint disabled" : "event no longer kept", Final: true);
        }
        else
        {
            // Resolved here, not when the dispatcher is made: the key-encryption key is created with the database, not before it.
            outcome = await PostAsync(scope.ServiceProvider.GetRequiredService<KeyEncryptionKey>(), endpoint, ev, ct);
        }
        await RecordAsync(scope, deliveryId, outcome, ct);
    }

    private sealed record Outcome(bool Delivered, int? StatusCode, string? Error, bool Final = false);

    /// <summary>The body a receiver gets: the Standard Webhooks envelope around the event's data.</summary>
    public static string Payload(FeedEvent ev)
    {
        var data = JsonNode.Parse(ev.Data) as JsonObject ?? [];
        data.Insert(0, "event_id", EventId(ev));
        data.Insert(1, "sequence", ev.Sequence);
        data.Insert(2, "reseller_id", ev.ResellerId.ToString());
        var body = new JsonObject
        {
            ["type"] = ev.Type,
            ["timestamp"] = EventData.Time(ev.At),
            ["data"] = data,
        };
        return body.ToJsonString();
    }

    /// <summary>An event's id as the feed and webhook-id show it.</summary>
    public static string EventId(FeedEvent ev) => "evt_" + ev.Id.ToString("N");

    private async Task<Outcome> PostAsync(KeyEncryptionKey kek, WebhookEndpoint endpoint, FeedEvent ev, CancellationToken ct)
    {
        var payload = Payload(ev);
        var id = EventId(ev);
        var now = _clock.GetUtcNow();
        var signature = new StandardWebhook(WebhookEndpoints.Secret(kek, endpoint)).Sign(id, now, payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 300
                ? new Outcome(true, code, null)
                : new Outcome(false, code, code is >= 300 and < 400 ? $"HTTP {code} (redirects are not followed)" : $"HTTP {code}");
        }
        catch (HttpRequestException ex) when (ex.InnerException is DestinationRefusedException refused)
        {
            return new Outcome(false, null, Short(refused.Message));
        }
        catch (HttpRequestException ex)
        {
            return new Outcome(false, null, ex.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => "connection failed",
                HttpRequestError.NameResolutionError => "name did not resolve",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                _ => "request failed: " + ex.HttpRequestError,
            });
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(false, null, $"timeout after {Options.AttemptTimeout.TotalSeconds:0.#} s");
        }
    }

    private static string Short(string text) => text.Length <= WebhookDelivery.MaxErrorLength ? text : text[..WebhookDelivery.MaxErrorLength];

    private async Task RecordAsync(AsyncServiceScope scope, Guid deliveryId, Outcome outcome, CancellationToken ct)
    {
        var db = scope.ServiceProvider.GetRequiredService<LicenseHubDbContext>();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var events = scope.ServiceProvider.GetRequiredService<EventOutbox>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
        await unitOfWork.RunAsync(async token =>
        {
            var endpointId = await db.WebhookDeliveries.Where(d => d.Id == deliveryId).Select(d => (Guid?)d.EndpointId).SingleOrDefaultAsync(token);
            if (endpointId is { } locked)
            {
                await DatabaseLocks.WebhookEndpointAsync(db, locked, token);
            }
            var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, token);
            // Lost the lease (it ran out and another replica took it): that replica records its own attempt.
            if (delivery is null || delivery.LeaseOwner != ReplicaId || delivery.Status != WebhookDeliveryStatus.Pending)
            {
                return false;
            }
            var now = _clock.Now();
            delivery.Attempts++;
            delivery.LastAttemptAt = now;
            delivery.LastStatusCode = outcome.StatusCode;
            delivery.LastError = outcome.Error;
            delivery.LeaseOwner = null;
            delivery.LeaseUntil = null;
            var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, token);
            if (outcome.Delivered)
            {
                delivery.Status = WebhookDeliveryStatus.Delivered;
                if (endpoint is not null)
                {
                    endpoint.FailingSince = null;
                }
                return true;
            }
            if (outcome.Final || now - delivery.CreatedAt >= Options.RetryFor)
            {
                delivery.Status = WebhookDeliveryStatus.Failed;
            }
            else
            {
                delivery.NextAttemptAt = now + NextDelay(delivery.Attempts);
            }
            if (endpoint is not null && endpoint.DisabledAt is null)
            {
                endpoint.FailingSince ??= now;
                if (now - endpoint.FailingSince >= Options.DisableAfter)
                {
                    endpoint.DisabledAt = now;
                    await db.WebhookDeliveries.Where(d => d.EndpointId == endpoint.Id && d.Status == WebhookDeliveryStatus.Pending && d.Id != delivery.Id)
                        .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Failed)
                            .SetProperty(d => d.LastError, "endpoint disabled"), token);
                    delivery.Status = WebhookDeliveryStatus.Failed;
                    var days = (now - endpoint.FailingSince.Value).TotalDays;
                    var reason = string.Create(CultureInfo.InvariantCulture, $"every delivery failed for {days:0.#} days; last: {outcome.Error}");
                    events.Publish(EventTypes.WebhookEndpointDisabled, endpoint.ResellerId, "webhook_endpoint", endpoint.Id,
                        new EventData.EndpointData(endpoint.Id.ToString(), endpoint.Url, Short(reason)));
                    await audit.AppendAsync("system:webhooks", "webhook.disable", "webhook_endpoint", endpoint.Id.ToString(),
                        string.Create(CultureInfo.InvariantCulture, $"failing_days={days:0.#}"), token);
                    _logger.LogWarning("Webhook endpoint {EndpointId} of reseller {ResellerId} disabled: its deliveries failed for {Days:0.#} days",
                        endpoint.Id, endpoint.ResellerId, days);
                }
            }
            return false;
        }, ct);
    }

    /// <summary>The wait before attempt <paramref name="attempts"/> + 1: decorrelated jitter around an exponential curve, capped.</summary>
    public TimeSpan NextDelay(int attempts)
    {
        var delay = Backoff.DecorrelatedJitterBackoffV2(Options.FirstRetryDelay, Math.Clamp(attempts, 1, 30)).Last();
        return delay > Options.MaxRetryDelay ? Options.MaxRetryDelay : delay;
    }
}
