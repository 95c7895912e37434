using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace TreatmentLedger.Api.Http;

/// <summary>
/// Problem details for the requests Kestrel refuses before any application code runs: a malformed request line or header
/// (400), a request line or headers too long (414, 431), headers that do not arrive in time (408), an HTTP version it
/// does not speak (505). Kestrel answers them with a bare head (<c>Content-Length: 0</c>, <c>Connection: close</c>, none
/// of <see cref="AnswerHeaders"/>) and closes the connection. This connection middleware passes each connection's output
/// through a pipe; when the connection ends on such a head, it sends the same status as a problem with the answer headers
/// instead. Everything else passes as written, in order; only a bare 4xx or 5xx head at the end of what Kestrel has
/// flushed waits until Kestrel writes more or closes.
/// </summary>
public static class ServerRefusals
{
    /// <summary>Every answer of the application carries this header (<see cref="AnswerHeaders"/>); Kestrel's own do not.</summary>
    private const string ApplicationMark = "\r\nX-Content-Type-Options:";

    private static readonly byte[] StatusLineStart = "HTTP/1.1 "u8.ToArray();
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>The longest head Kestrel writes for a refusal (status line, Content-Length, Connection, Date).</summary>
    private const int LongestHead = 256;

    public static void UseProblemAnswers(this ListenOptions listen) =>
        listen.Use(next => connection => RunAsync(next, connection));

    private static async Task RunAsync(ConnectionDelegate next, ConnectionContext connection)
    {
        var transport = connection.Transport;
        var output = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        connection.Transport = new Duplex(transport.Input, output.Writer);
        var pump = PumpAsync(output.Reader, transport.Output);
        try
        {
            await next(connection);
        }
        finally
        {
            await output.Writer.CompleteAsync();
            await pump;
            connection.Transport = transport;
        }
    }

    private static async Task PumpAsync(PipeReader from, PipeWriter to)
    {
        try
        {
            while (true)
            {
                var read = await from.ReadAsync();
                var buffer = read.Buffer;
                var refusal = RefusalAtEnd(buffer);
                if (read.IsCompleted)
                {
                    if (refusal is { } last)
                    {
                        Write(to, buffer.Slice(0, last.Start));
                        to.Write(ProblemAnswer(last.StatusLine));
                    }
                    else Write(to, buffer);
                    from.AdvanceTo(buffer.End);
                    await to.FlushAsync();
                    return;
                }
                var passed = refusal is { } held ? buffer.Slice(0, held.Start) : buffer;
                Write(to, passed);
                from.AdvanceTo(passed.End, buffer.End);
                if ((await to.FlushAsync()).IsCompleted) return;
            }
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The client went away: nothing more can be sent.
        }
        finally
        {
            await from.CompleteAsync();
        }
    }

    private static void Write(PipeWriter to, ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes) to.Write(segment.Span);
    }

    /// <summary>A head of Kestrel's own refusal that ends <paramref name="buffer"/>: where it starts and its status line.</summary>
    private static (SequencePosition Start, string StatusLine)? RefusalAtEnd(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < HeadEnd.Length) return null;
        var tailLength = Math.Min(buffer.Length, LongestHead);
        var tail = buffer.Slice(buffer.Length - tailLength);
        Span<byte> bytes = stackalloc byte[(int)tailLength];
        tail.CopyTo(bytes);
        if (!bytes.EndsWith(HeadEnd)) return null;
        var start = bytes.LastIndexOf(StatusLineStart);
        if (start < 0) return null;
        var head = Encoding.ASCII.GetString(bytes[start..]);
        if (head[StatusLineStart.Length] is not ('4' or '5')) return null;
        if (head.IndexOf("\r\n\r\n", StringComparison.Ordinal) != head.Length - 4) return null;
        if (!head.Contains("\r\nContent-Length: 0\r\n", StringComparison.OrdinalIgnoreCase) ||
            !head.Contains("\r\nConnection: close\r\n", StringComparison.OrdinalIgnoreCase) ||
            head.Contains(ApplicationMark, StringComparison.OrdinalIgnoreCase)) return null;
        return (tail.GetPosition(start), head[..head.IndexOf("\r\n", StringComparison.Ordinal)]);
    }

    private static byte[] ProblemAnswer(string statusLine)
    {
        var status = int.Parse(statusLine.AsSpan(9, 3), CultureInfo.InvariantCulture);
        var body = JsonSerializer.SerializeToUtf8Bytes(Problems.RefusedByServer(status, statusLine[13..]));
        var head =
            $"{statusLine}\r\n" +
            "Content-Type: application/problem+json\r\n" +
            $"Content-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n" +
            "Connection: close\r\n" +
            $"Date: {DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture)}\r\n" +
            "X-Content-Type-Options: nosniff\r\n" +
            "Cache-Control: no-store\r\n" +
            $"Content-Security-Policy: {AnswerHeaders.DataPolicy}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
