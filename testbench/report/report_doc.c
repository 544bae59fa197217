/* The two back ends of the report's document (report_doc.h): HTML and Markdown. */
#include "report_doc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void rdoc_html_escape(FILE* f, const char* text) {
    for (const char* c = text ? text : ""; *c; ++c) {
        switch (*c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*c, f);
        }
    }
}

/* Markdown text: the characters that would start markup are escaped, HTML's three as
 * entities (Markdown passes raw HTML through), line ends become spaces. */
static void md_escape(FILE* f, const char* text) {
    for (const char* c = text ? text : ""; *c; ++c) {
        switch (*c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '\n': case '\r': fputc(' ', f); break;
        case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#': case '!':
            fputc('\\', f);
            fputc(*c, f);
            break;
        default: fputc(*c, f);
        }
    }
}

static void text(rdoc_t* d, const char* s) {
    if (d->format == RDOC_HTML) rdoc_html_escape(d->f, s);
    else md_escape(d->f, s);
}

static const char* const html_style =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1240px;margin:1.5em auto;"
    "padding:0 1em;color:#1d232a;line-height:1.45}"
    "h1{font-size:1.6em;border-bottom:2px solid #2f5d8a;padding-bottom:.2em}"
    "h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ccd5de;padding-bottom:.15em}"
    "h3{font-size:1.05em;margin-bottom:.3em}"
    "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccd5de;padding:.2em .6em;"
    "text-align:left;vertical-align:top}th{background:#eef2f6}td.num,th.num{text-align:right;"
    "font-variant-numeric:tabular-nums}"
    "pre{background:#f5f7f9;border:1px solid #dde3e9;padding:.5em .8em;overflow-x:auto;font-size:.9em}"
    ".verdict{font-weight:700;padding:.1em .5em;border-radius:3px;color:#fff}"
    ".good{background:#2e7d32}.bad{background:#c62828}"
    "img{max-width:100%;height:auto;border:1px solid #dde3e9}";

/* Records, in the DOM, whether every image loaded: a headless browser's DOM dump then
 * shows it (the suite's check, testbench/report/README.md). */
static const char* const html_script =
    "<script>window.addEventListener('load',function(){var bad=[],imgs=document.images;"
    "for(var i=0;i<imgs.length;i++){if(!imgs[i].complete||imgs[i].naturalWidth<1)bad.push(imgs[i].alt);}"
    "document.body.setAttribute('data-images',bad.length?'failed: '+bad.join(', '):'ok '+imgs.length);});"
    "</script>\n";

void rdoc_begin(rdoc_t* d, const char* title) {
    if (d->format == RDOC_HTML) {
        fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
              "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
              d->f);
        rdoc_html_escape(d->f, title);
        fprintf(d->f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", html_style);
        rdoc_html_escape(d->f, title);
        fputs("</h1>\n", d->f);
    } else {
        fputs("# ", d->f);
        md_escape(d->f, title);
        fputs("\n\n", d->f);
    }
}

void rdoc_end(rdoc_t* d) {
    rdoc_list_end(d);
    if (d->format == RDOC_HTML) fprintf(d->f, "%s</body>\n</html>\n", html_script);
}

void rdoc_heading(rdoc_t* d, int level, const char* id, const char* t) {
    rdoc_list_end(d);
    if (d->format == RDOC_HTML) {
        fprintf(d->f, "<h%d id=\"", level);
        rdoc_html_escape(d->f, id);
        fputs("\">", d->f);
        rdoc_html_escape(d->f, t);
        fprintf(d->f, "</h%d>\n", level);
    } else {
        for (int i = 0; i < level; ++i) fputc('#', d->f);
        fputc(' ', d->f);
        md_escape(d->f, t);
        fputs("\n\n", d->f);
    }
}

void rdoc_para(rdoc_t* d, const char* fmt, ...) {
    rdoc_list_end(d);
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fputs(d->format == RDOC_HTML ? "<p>" : "", d->f);
    text(d, buf);
    fputs(d->format == RDOC_HTML ? "</p>\n" : "\n\n", d->f);
}

void rdoc_verdict(rdoc_t* d, int good, const char* label, const char* t) {
    rdoc_list_end(d);
    if (d->format == RDOC_HTML) {
        fprintf(d->f, "<p><span class=\"verdict %s\">", good ? "good" : "bad");
        rdoc_html_escape(d->f, label);
        fputs("</span> ", d->f);
        rdoc_html_escape(d->f, t);
        fputs("</p>\n", d->f);
    } else {
        fputs("**", d->f);
        md_escape(d->f, label);
        fputs("** ", d->f);
        md_escape(d->f, t);
        fputs("\n\n", d->f);
    }
}

void rdoc_list_item(rdoc_t* d, const char* t, const char* href, const char* link_text) {
    if (!d->in_list && d->format == RDOC_HTML) fputs("<ul>\n", d->f);
    d->in_list = 1;
    fputs(d->format == RDOC_HTML ? "<li>" : "- ", d->f);
    text(d, t);
    if (href) {
        if (d->format == RDOC_HTML) {
            fputs("<a href=\"", d->f);
            rdoc_html_escape(d->f, href);
            fputs("\">", d->f);
            rdoc_html_escape(d->f, link_text);
            fputs("</a>", d->f);
        } else {
            fputc('[', d->f);
            md_escape(d->f, link_text);
            fputs("](<", d->f);
            for (const char* c = href; *c; ++c) /* inside <...> only these need escaping */
                fprintf(d->f, *c == '<' ? "%%3C" : *c == '>' ? "%%3E" : *c == ' ' ? "%%20" : "%c", *c);
            fputs(">)", d->f);
        }
    }
    fputs(d->format == RDOC_HTML ? "</li>\n" : "\n", d->f);
}

void rdoc_list_end(rdoc_t* d) {
    if (!d->in_list) return;
    d->in_list = 0;
    fputs(d->format == RDOC_HTML ? "</ul>\n" : "\n", d->f);
}

static int right_aligned(const char* h) {
    size_t n = strlen(h);
    return n && h[n - 1] == '#';
}

void rdoc_table_begin(rdoc_t* d, size_t ncols, const char* const* header) {
    rdoc_list_end(d);
    d->naligned = ncols < 32 ? ncols : 32;
    for (size_t i = 0; i < d->naligned; ++i) d->aligned[i] = (unsigned char)right_aligned(header[i]);
    if (d->format == RDOC_HTML) fputs("<table>\n<tr>", d->f);
    else fputc('|', d->f);
    for (size_t i = 0; i < ncols; ++i) {
        char h[256];
        snprintf(h, sizeof h, "%s", header[i]);
        if (right_aligned(h)) h[strlen(h) - 1] = 0;
        if (d->format == RDOC_HTML) {
            fputs(i < 32 && d->aligned[i] ? "<th class=\"num\">" : "<th>", d->f);
            rdoc_html_escape(d->f, h);
            fputs("</th>", d->f);
        } else {
            fputc(' ', d->f);
            md_escape(d->f, h);
            fputs(" |", d->f);
        }
    }
    if (d->format == RDOC_HTML) fputs("</tr>\n", d->f);
    else {
        fputs("\n|", d->f);
        for (size_t i = 0; i < ncols; ++i) fputs(i < 32 && d->aligned[i] ? " ---: |" : " --- |", d->f);
        fputc('\n', d->f);
    }
}

void rdoc_table_row(rdoc_t* d, size_t ncols, const char* const* cells) {
    fputs(d->format == RDOC_HTML ? "<tr>" : "|", d->f);
    for (size_t i = 0; i < ncols; ++i) {
        if (d->format == RDOC_HTML) {
            fputs(i < d->naligned && d->aligned[i] ? "<td class=\"num\">" : "<td>", d->f);
            rdoc_html_escape(d->f, cells[i]);
            fputs("</td>", d->f);
        } else {
            fputc(' ', d->f);
            md_escape(d->f, cells[i]);
            fputs(" |", d->f);
        }
    }
    fputs(d->format == RDOC_HTML ? "</tr>\n" : "\n", d->f);
}

void rdoc_table_end(rdoc_t* d) { fputs(d->format == RDOC_HTML ? "</table>\n" : "\n", d->f); }

void rdoc_code(rdoc_t* d, const char* t) {
    rdoc_list_end(d);
    if (d->format == RDOC_HTML) {
        fputs("<pre>", d->f);
        rdoc_html_escape(d->f, t);
        fputs("</pre>\n", d->f);
    } else {
        /* a fence longer than any run of backticks in the text */
        size_t run = 0, longest = 0;
        for (const char* c = t; *c; ++c) {
            run = *c == '`' ? run + 1 : 0;
            if (run > longest) longest = run;
        }
        size_t fence = longest < 3 ? 3 : longest + 1;
        for (size_t i = 0; i < fence; ++i) fputc('`', d->f);
        fputs("text\n", d->f);
        fputs(t, d->f);
        if (!*t || t[strlen(t) - 1] != '\n') fputc('\n', d->f);
        for (size_t i = 0; i < fence; ++i) fputc('`', d->f);
        fputs("\n\n", d->f);
    }
}

static void base64(FILE* f, const unsigned char* s, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n) v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n) v |= s[i + 2];
        fputc(tab[(v >> 18) & 63], f);
        fputc(tab[(v >> 12) & 63], f);
        fputc(i + 1 < n ? tab[(v >> 6) & 63] : '=', f);
        fputc(i + 2 < n ? tab[v & 63] : '=', f);
    }
}

void rdoc_svg(rdoc_t* d, const char* svg, const char* file, const char* alt) {
    rdoc_list_end(d);
    if (d->format == RDOC_HTML) {
        fputs("<p><img alt=\"", d->f);
        rdoc_html_escape(d->f, alt);
        fputs("\" src=\"data:image/svg+xml;base64,", d->f);
        base64(d->f, (const unsigned char*)svg, strlen(svg));
        fputs("\"></p>\n", d->f);
        return;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", d->dir, file);
    FILE* out = fopen(path, "w");
    if (!out || fputs(svg, out) < 0) d->failed = 1;
    if (out && fclose(out)) d->failed = 1;
    fputs("![", d->f);
    md_escape(d->f, alt);
    fprintf(d->f, "](%s)\n\n", file);
}
