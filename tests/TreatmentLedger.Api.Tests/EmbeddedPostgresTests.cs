using TreatmentLedger.Api.Hosting;

namespace TreatmentLedger.Api.Tests;

/// <summary>What a person sees when LEDGER_DATA names a place the ledger cannot keep its cluster in.</summary>
public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task A_folder_that_holds_other_files_and_no_cluster_is_refused_with_one_clear_message_and_left_as_it_was()
    {
        var folder = Directory.CreateTempSubdirectory("ledger-not-a-cluster-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "mine");
        try
        {
            var refused = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(folder));

            Assert.Contains(folder, refused.Message);
            Assert.Contains("no PostgreSQL cluster", refused.Message);
            Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_file_is_refused_as_a_data_folder()
    {
        var file = Path.GetTempFileName();
        try
        {
            var refused = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(file));
            Assert.Contains("is a file", refused.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
