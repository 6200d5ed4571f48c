import java.net.URL; import java.net.URLClassLoader; import java.nio.file.Path; import java.util.*; import java.util.function.LongUnaryOperator;
/** AB jarA jarB mode live rounds ops: interleaved slices of the same loop on two engines, one JVM. */
public final class AB
{
    public static void main(final String[] a) throws Exception
    {
        final int mode = Integer.parseInt(a[2]), live = Integer.parseInt(a[3]), rounds = Integer.parseInt(a[4]);
        final long ops = Long.parseLong(a[5]);
        final URL here = Path.of(System.getProperty("ab.classes")).toUri().toURL();
        final LongUnaryOperator[] s = new LongUnaryOperator[2];
        for (int k = 0; k < 2; k++)
        {
            final ClassLoader cl = new URLClassLoader(new URL[]{here, Path.of(a[k]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            s[k] = (LongUnaryOperator)cl.loadClass("RearmSlice").getConstructor(int.class, int.class).newInstance(mode, live);
        }
        for (int w = 0; w < 20; w++) { s[0].applyAsLong(ops); s[1].applyAsLong(ops); }
        final double[][] v = new double[2][rounds]; final double[] r = new double[rounds];
        for (int i = 0; i < rounds; i++)
        {
            final int first = i & 1; // alternate which goes first
            v[first][i] = s[first].applyAsLong(ops) / (double)ops;
            v[1 - first][i] = s[1 - first].applyAsLong(ops) / (double)ops;
            r[i] = v[1][i] / v[0][i];
        }
        System.out.printf("mode=%d live=%d A med %.2f  B med %.2f  B/A med %.3f  (B/A q1 %.3f q3 %.3f)%n", mode, live,
            med(v[0]), med(v[1]), med(r), q(r, 0.25), q(r, 0.75));
    }
    static double med(final double[] x) { return q(x, 0.5); }
    static double q(final double[] x, final double p) { final double[] c = x.clone(); Arrays.sort(c); return c[(int)Math.round(p * (c.length - 1))]; }
}
