using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>An OTLP/HTTP collector that keeps what it is sent: the path (/v1/traces, /v1/metrics, /v1/logs) and the body.</summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Endpoint = $"http://127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}";
        }
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public string Endpoint { get; }

    public ConcurrentQueue<(string Path, byte[] Body)> Received { get; } = new();

    /// <summary>What was sent to <paramref name="path"/>; protobuf keeps strings as UTF-8, so names can be searched in it.</summary>
    public string Text(string path) =>
        string.Join("\n", Received.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
