namespace TreatmentLedger.Tests.Support;

/// <summary>Files of the repository the tests read (the founding case's case file).</summary>
public static class Repository
{
    public static string File(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "TreatmentLedger.sln"))) return Path.Combine(dir.FullName, relativePath);
        }
        throw new FileNotFoundException($"no TreatmentLedger.sln above {AppContext.BaseDirectory}");
    }
}
