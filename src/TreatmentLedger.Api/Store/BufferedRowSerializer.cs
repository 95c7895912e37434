using System.Data.Common;
using Marten;
using Marten.Services;
using Weasel.Storage;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Marten's System.Text.Json serializer, except that a document or event read from a row is deserialised synchronously.
/// Marten reads rows in Npgsql's default (non-sequential) mode, so a row's columns are in memory before any of them is
/// read: the asynchronous path (System.Text.Json's stream reader over the column) waits for nothing. That path, parsing
/// included, held 27 % of the projection daemon's samples in a profile, and with it the API spent 12–22 % more CPU per
/// HTTP append (docs/benchmarks.md). The base class's methods are not virtual: the two below re-implement Marten's
/// interfaces, through which Marten calls its serializer.
/// </summary>
public sealed class BufferedRowSerializer : SystemTextJsonSerializer, ISerializer, IStorageSerializer
{
    public new ValueTask<T> FromJsonAsync<T>(DbDataReader reader, int index, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(FromJson<T>(reader, index));

    public new ValueTask<object> FromJsonAsync(Type type, DbDataReader reader, int index, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(FromJson(type, reader, index));
}
