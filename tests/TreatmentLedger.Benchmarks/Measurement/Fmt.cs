using System.Globalization;

namespace TreatmentLedger.Benchmarks.Measurement;

/// <summary>Number formats for the report: invariant culture, units spelled out.</summary>
public static class Fmt
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Ms(double ms) => double.IsNaN(ms) ? "n/a" : ms switch
    {
        < 1 => ms.ToString("0.000", Inv) + " ms",
        < 10 => ms.ToString("0.00", Inv) + " ms",
        < 1000 => ms.ToString("0.0", Inv) + " ms",
        _ => ms.ToString("#,0", Inv) + " ms",
    };

    public static string Rate(double perSecond, string unit) =>
        double.IsNaN(perSecond) ? "n/a" : perSecond.ToString(perSecond < 100 ? "0.0" : "#,0", Inv) + " " + unit;

    public static string Ratio(double ratio) => double.IsNaN(ratio) ? "n/a" : ratio.ToString("0.00", Inv) + "x";

    public static string Num(double value, string format = "#,0") => value.ToString(format, Inv);

    public static string Seconds(double seconds) => seconds.ToString(seconds < 10 ? "0.00" : "0.0", Inv) + " s";

    /// <summary>A byte count in bytes, KiB or MiB (1,024-based).</summary>
    public static string Bytes(double bytes) => double.IsNaN(bytes) ? "n/a" : bytes switch
    {
        < 1024 => bytes.ToString("0", Inv) + " B",
        < 1024 * 1024 => (bytes / 1024).ToString("0.0", Inv) + " KiB",
        _ => (bytes / 1024 / 1024).ToString("0.00", Inv) + " MiB",
    };

    public static string MiB(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", Inv) + " MB";
}
