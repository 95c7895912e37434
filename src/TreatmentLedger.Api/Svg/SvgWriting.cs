using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace TreatmentLedger.Api.Svg;

/// <summary>
/// What the ledger's pictures (the timeline, the survival curves) share: the SVG namespace, short element and attribute
/// builders, numbers to one decimal, text made safe for XML, and text widths estimated for the browsers' font.
/// </summary>
public static class SvgWriting
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    /// <summary>
    /// The estimated width in pixels of <paramref name="text"/> set in the drawing's sans-serif font: per character, at
    /// least its advance in DejaVu Sans (the font of Debian's browsers, wider than Helvetica and Arial), so that an
    /// estimate errs on the side of room. The browser test of the timeline route checks it against the real font.
    /// </summary>
    public static double TextWidth(string text, double fontSize, bool bold = false)
    {
        var ems = 0.0;
        foreach (var c in text)
            ems += c switch
            {
                ' ' => 0.32,
                'i' or 'j' or 'l' or '.' or ',' or ':' or ';' or '\'' or '|' or '!' => 0.32,
                'f' or 't' or 'r' or '(' or ')' or '/' or '-' or '[' or ']' => 0.5,
                'm' or 'w' or 'M' or 'W' or '—' or '…' or '%' or '@' or '#' or '&' or '+' or '=' or '<' or '>' or '~' => 1.0,
                _ when char.IsLowSurrogate(c) => 0,
                _ when char.IsUpper(c) => 0.8,
                _ when c >= '\u2E80' => 1.0,
                _ => 0.64,
            };
        return ems * fontSize * (bold ? 1.12 : 1);
    }

    /// <summary>
    /// The text cut, with an ellipsis, to at most <paramref name="maxChars"/> characters and <paramref name="maxWidth"/>
    /// pixels, at a word end if one is near.
    /// </summary>
    public static string Shorten(string text, double maxWidth, double fontSize, bool bold = false, int maxChars = int.MaxValue)
    {
        if (text.Length <= maxChars && TextWidth(text, fontSize, bold) <= maxWidth) return text;
        var length = Math.Min(text.Length, maxChars) - 1;
        while (length > 1 && TextWidth(text[..length] + "…", fontSize, bold) > maxWidth) length--;
        if (length > 0 && char.IsHighSurrogate(text[length - 1])) length--;
        if (length <= 0) return "…";
        var cut = text.LastIndexOf(' ', length - 1);
        if (cut < length / 2) cut = length;
        return text[..cut].TrimEnd(' ', ',', ':', ';', '(', '/', '+') + "…";
    }

    /// <summary>User text made safe for XML: whitespace runs become one space, characters XML cannot hold are dropped.</summary>
    public static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (clean.Length > 0 && clean[^1] != ' ') clean.Append(' ');
            }
            else if (XmlConvert.IsXmlChar(c)) clean.Append(c);
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c)) clean.Append(c).Append(text[++i]);
        }
        return clean.ToString().TrimEnd();
    }

    // Sizes and weights are attributes, not style, so that a text's extent can be read from the document itself.
    public static XAttribute Bold => A("font-weight", "bold");

    // Escaping is left to System.Xml.Linq, which writes &lt; &amp; &quot; where text and attributes need them.
    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    public static XAttribute A(string name, string value) => new(name, value);

    public static XAttribute A(string name, double value) => new(name, Num(value));

    public static string Num(double value)
    {
        var rounded = Math.Round(value, 1);
        return (rounded == 0 ? 0 : rounded).ToString("0.#", CultureInfo.InvariantCulture);
    }
}
