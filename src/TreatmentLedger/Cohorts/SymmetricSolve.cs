namespace TreatmentLedger.Cohorts;

/// <summary>Small symmetric positive semi-definite systems, solved by Cholesky (the log-rank variance is one).</summary>
internal static class SymmetricSolve
{
    /// <summary>A pivot this small against its diagonal entry makes the matrix singular (a rounding residue of 0).</summary>
    public const double SingularTolerance = 1e-10;

    /// <summary>
    /// x' A⁻¹ x over the leading <paramref name="size"/> rows and columns of <paramref name="a"/>, or null when that
    /// block is singular. With A = L L', it is |z|² where L z = x.
    /// </summary>
    public static double? QuadraticForm(double[,] a, IReadOnlyList<double> x, int size)
    {
        var lower = new double[size, size];
        var z = new double[size];
        var sum = 0.0;
        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var value = a[i, j];
                for (var m = 0; m < j; m++) value -= lower[i, m] * lower[j, m];
                if (j < i)
                {
                    lower[i, j] = value / lower[j, j];
                    continue;
                }
                if (value <= SingularTolerance * a[i, i]) return null;
                lower[i, i] = Math.Sqrt(value);
            }
            var rest = x[i];
            for (var m = 0; m < i; m++) rest -= lower[i, m] * z[m];
            z[i] = rest / lower[i, i];
            sum += z[i] * z[i];
        }
        return sum;
    }
}
