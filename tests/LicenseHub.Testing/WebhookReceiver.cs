using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace LicenseHub.Testing;

/// <summary>One request a <see cref="WebhookReceiver"/> got, and what it answered.</summary>
public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body, int Answered);

/// <summary>
/// A real HTTP receiver on a free loopback port, as a billing system would run one: it records every request with
/// its Standard Webhooks headers and answers what <see cref="Answer"/> says (by the number of requests so far).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>The status to answer the request with this index (0-based, all paths counted); default 204.</summary>
    public Func<int, int> Answer { get; set; } = _ => 204;

    /// <summary>When set, the request with this index is held unanswered until the receiver is disposed.</summary>
    public int? Hang { get; set; }

    /// <summary>Where to send a redirect's Location, for requests answered 3xx.</summary>
    public string RedirectPath { get; set; } = "/elsewhere";

    private int _count;

    /// <summary>Requests that arrived, answered or not.</summary>
    public int Arrived => Volatile.Read(ref _count);

    public int Port { get; }

    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    public WebhookReceiver()
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        if (Hang == index)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var status = Answer(index);
        Received.Enqueue(new ReceivedWebhook(context.Request.Url!.AbsolutePath, context.Request.Headers["webhook-id"] ?? "",
            context.Request.Headers["webhook-timestamp"] ?? "", context.Request.Headers["webhook-signature"] ?? "", body, status));
        context.Response.StatusCode = status;
        if (status is >= 300 and < 400)
        {
            context.Response.RedirectLocation = $"http://127.0.0.1:{Port}{RedirectPath}";
        }
        context.Response.Close();
    }

    /// <summary>Waits until <paramref name="done"/> holds for what was received, or fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var now = Received.ToArray();
            if (done(now))
            {
                return now;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The receiver got {now.Length} request(s) in {timeout}, not what was awaited: "
                    + string.Join("; ", now.Select(r => $"{r.Id} -> {r.Answered}")));
            }
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The Standard Webhooks check, written from the specification rather than with the server's library: the
    /// signature is base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")), the secret the base64 after "whsec_".
    /// </summary>
    public static bool SignatureVerifies(ReceivedWebhook webhook, string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{webhook.Id}.{webhook.Timestamp}.{webhook.Body}")));
        return webhook.Signature.Split(' ').Any(s => s == "v1," + expected);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
            // Stopped.
        }
    }
}
