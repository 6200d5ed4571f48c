package io.escapement.simulator.report;

import java.util.Map;

/** Just enough JSON writing for reports: maps, strings, numbers, booleans, and pre-written fragments. */
final class Json
{
    /** A fragment already written as JSON. */
    record Raw(String json)
    {
    }

    private Json()
    {
    }

    static String write(final Object value)
    {
        final StringBuilder s = new StringBuilder();
        write(s, value, 0);
        return s.toString();
    }

    private static void write(final StringBuilder s, final Object value, final int depth)
    {
        if (value instanceof Map<?, ?> map)
        {
            s.append("{\n");
            int k = 0;
            for (final Map.Entry<?, ?> e : map.entrySet())
            {
                s.append("  ".repeat(depth + 1));
                string(s, String.valueOf(e.getKey()));
                s.append(": ");
                write(s, e.getValue(), depth + 1);
                s.append(++k < map.size() ? ",\n" : "\n");
            }
            s.append("  ".repeat(depth)).append('}');
        }
        else if (value instanceof java.util.List<?> list)
        {
            s.append('[');
            for (int k = 0; k < list.size(); k++)
            {
                s.append(k == 0 ? "" : ", ");
                write(s, list.get(k), depth + 1);
            }
            s.append(']');
        }
        else if (value instanceof Raw raw)
        {
            s.append(raw.json().replace("\n", "\n" + "  ".repeat(depth)));
        }
        else if (value instanceof String text)
        {
            string(s, text);
        }
        else if (value instanceof Double d && (d.isNaN() || d.isInfinite()))
        {
            s.append("null");
        }
        else
        {
            s.append(value);
        }
    }

    private static void string(final StringBuilder s, final String text)
    {
        s.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char ch = text.charAt(i);
            switch (ch)
            {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                default ->
                {
                    if (ch < 0x20)
                    {
                        s.append(String.format("\\u%04x", (int)ch));
                    }
                    else
                    {
                        s.append(ch);
                    }
                }
            }
        }
        s.append('"');
    }
}
