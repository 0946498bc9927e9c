/*
 * hacl-img2bin: images to the raw input tensors the ResNet-50 samples read.
 *
 *   hacl-img2bin [--fp32] [--size N] -o OUTDIR IMAGE...
 *   hacl-img2bin --synthetic COUNT [--fp32] [--size N] -o OUTDIR
 *
 * Each image becomes OUTDIR/<name>.bin: 1 x 3 x N x N (default 224), channels
 * in BGR order, each pixel minus the channel mean (B 104, G 117, R 123), as
 * float16 (default, what the upstream sample feeds) or float32. Images are
 * resized (bilinear) to N x N. Formats: binary PPM/PGM (P6/P5) always; JPEG
 * and PNG when hostacl was built with libjpeg and libpng (their -dev
 * packages present at configure time). --synthetic writes COUNT
 * deterministic test images (gradients and stripes) instead.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acl/acl.h"

#ifdef HACL_HAVE_JPEG
#include <jpeglib.h>
#endif
#ifdef HACL_HAVE_PNG
#include <png.h>
#endif

struct image {
    int w, h;
    unsigned char *rgb; /* w * h * 3 */
};

static int ppm_token(FILE *f, long *out)
{
    int c;
    do {
        c = fgetc(f);
        if (c == '#')
            while (c != '\n' && c != EOF)
                c = fgetc(f);
    } while (c != EOF && isspace(c));
    if (c == EOF || !isdigit(c))
        return -1;
    long v = 0;
    while (c != EOF && isdigit(c)) {
        v = v * 10 + (c - '0');
        if (v > 100000)
            return -1;
        c = fgetc(f);
    }
    *out = v;
    return 0;
}

static int load_pnm(FILE *f, struct image *im, char *why, size_t whylen)
{
    char magic[2];
    long w, h, maxv;
    if (fread(magic, 1, 2, f) != 2 || magic[0] != 'P' || (magic[1] != '6' && magic[1] != '5') || ppm_token(f, &w) ||
        ppm_token(f, &h) || ppm_token(f, &maxv) || w < 1 || h < 1 || maxv < 1 || maxv > 255) {
        snprintf(why, whylen, "not an 8-bit binary PPM/PGM");
        return -1;
    }
    int ch = magic[1] == '6' ? 3 : 1;
    size_t n = (size_t)w * (size_t)h;
    unsigned char *raw = malloc(n * (size_t)ch);
    im->rgb = malloc(n * 3);
    if (!raw || !im->rgb || fread(raw, (size_t)ch, n, f) != n) {
        free(raw);
        snprintf(why, whylen, "truncated image data");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            im->rgb[i * 3 + (size_t)c] = (unsigned char)(raw[i * (size_t)ch + (ch == 3 ? (size_t)c : 0)] * 255 / maxv);
    free(raw);
    im->w = (int)w;
    im->h = (int)h;
    return 0;
}

#ifdef HACL_HAVE_JPEG
static int load_jpeg(FILE *f, struct image *im, char *why, size_t whylen)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
        jpeg_destroy_decompress(&cinfo);
        snprintf(why, whylen, "bad JPEG header");
        return -1;
    }
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    im->w = (int)cinfo.output_width;
    im->h = (int)cinfo.output_height;
    im->rgb = malloc((size_t)im->w * (size_t)im->h * 3);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = im->rgb + (size_t)cinfo.output_scanline * (size_t)im->w * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}
#endif

#ifdef HACL_HAVE_PNG
static int load_png(FILE *f, struct image *im, char *why, size_t whylen)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_stdio(&pi, f)) {
        snprintf(why, whylen, "bad PNG: %s", pi.message);
        return -1;
    }
    pi.format = PNG_FORMAT_RGB;
    im->w = (int)pi.width;
    im->h = (int)pi.height;
    im->rgb = malloc(PNG_IMAGE_SIZE(pi));
    if (!im->rgb || !png_image_finish_read(&pi, NULL, im->rgb, 0, NULL)) {
        snprintf(why, whylen, "bad PNG: %s", pi.message);
        png_image_free(&pi);
        return -1;
    }
    return 0;
}
#endif

static int load_image(const char *path, struct image *im, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    unsigned char sig[8] = {0};
    size_t got = fread(sig, 1, sizeof sig, f);
    rewind(f);
    int rc = -1;
    if (got >= 2 && sig[0] == 'P' && (sig[1] == '6' || sig[1] == '5'))
        rc = load_pnm(f, im, why, whylen);
    else if (got >= 3 && sig[0] == 0xff && sig[1] == 0xd8 && sig[2] == 0xff)
#ifdef HACL_HAVE_JPEG
        rc = load_jpeg(f, im, why, whylen);
#else
        snprintf(why, whylen, "JPEG support was not built (install libjpeg-dev and rebuild)");
#endif
    else if (got >= 8 && memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0)
#ifdef HACL_HAVE_PNG
        rc = load_png(f, im, why, whylen);
#else
        snprintf(why, whylen, "PNG support was not built (install libpng-dev and rebuild)");
#endif
    else
        snprintf(why, whylen, "unknown image format");
    fclose(f);
    return rc;
}

/* Bilinear resize to n x n, BGR, mean-subtracted, CHW. */
static void to_tensor(const struct image *im, int n, float *out)
{
    static const float mean_bgr[3] = {104.0f, 117.0f, 123.0f};
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            float sy = ((float)y + 0.5f) * (float)im->h / (float)n - 0.5f;
            float sx = ((float)x + 0.5f) * (float)im->w / (float)n - 0.5f;
            sy = sy < 0 ? 0 : sy > (float)(im->h - 1) ? (float)(im->h - 1) : sy;
            sx = sx < 0 ? 0 : sx > (float)(im->w - 1) ? (float)(im->w - 1) : sx;
            int y0 = (int)sy, x0 = (int)sx;
            int y1 = y0 + 1 < im->h ? y0 + 1 : y0, x1 = x0 + 1 < im->w ? x0 + 1 : x0;
            float fy = sy - (float)y0, fx = sx - (float)x0;
            for (int c = 0; c < 3; c++) { /* c: B, G, R */
                int rc = 2 - c;
#define PX(yy, xx) (float)im->rgb[((size_t)(yy) * (size_t)im->w + (size_t)(xx)) * 3 + (size_t)rc]
                float v = (1 - fy) * ((1 - fx) * PX(y0, x0) + fx * PX(y0, x1)) + fy * ((1 - fx) * PX(y1, x0) + fx * PX(y1, x1));
#undef PX
                out[((size_t)c * (size_t)n + (size_t)y) * (size_t)n + (size_t)x] = v - mean_bgr[c];
            }
        }
}

static int write_tensor(const char *dir, const char *name, const float *t, size_t count, int fp32)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.bin", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = 1;
    for (size_t i = 0; i < count && ok; i++) {
        if (fp32) {
            ok = fwrite(&t[i], 4, 1, f) == 1;
        } else {
            aclFloat16 h = aclFloatToFloat16(t[i]);
            ok = fwrite(&h, 2, 1, f) == 1;
        }
    }
    return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *outdir = NULL;
    int fp32 = 0, n = 224;
    long synthetic = -1;
    int first = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fp32") == 0)
            fp32 = 1;
        else if (i + 1 < argc && strcmp(argv[i], "--size") == 0)
            n = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "-o") == 0)
            outdir = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--synthetic") == 0)
            synthetic = atol(argv[++i]);
        else if (argv[i][0] == '-')
            outdir = NULL, i = argc;
        else if (first == argc)
            first = i;
    }
    if (!outdir || n < 1 || n > 4096 || (synthetic < 0 && first == argc) || synthetic > 100000) {
        fprintf(stderr, "usage: hacl-img2bin [--fp32] [--size N] -o OUTDIR IMAGE...\n"
                        "       hacl-img2bin --synthetic COUNT [--fp32] [--size N] -o OUTDIR\n");
        return 2;
    }
    mkdir(outdir, 0755);
    size_t count = 3 * (size_t)n * (size_t)n;
    float *t = malloc(count * sizeof *t);
    int failures = 0;
    if (synthetic >= 0) {
        for (long k = 0; k < synthetic; k++) {
            struct image im = {n, n, malloc(count)};
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                    for (int c = 0; c < 3; c++)
                        im.rgb[((size_t)y * (size_t)n + (size_t)x) * 3 + (size_t)c] =
                            (unsigned char)((x * (c + 1 + (int)k) + y * (3 - c) + ((x / (8 + (int)k)) % 2) * 64) % 256);
            to_tensor(&im, n, t);
            free(im.rgb);
            char name[64];
            snprintf(name, sizeof name, "synthetic_%04ld", k);
            if (write_tensor(outdir, name, t, count, fp32) != 0) {
                fprintf(stderr, "hacl-img2bin: cannot write %s/%s.bin\n", outdir, name);
                failures++;
            }
        }
        printf("hacl-img2bin: %ld synthetic images in %s (%s, 1x3x%dx%d)\n", synthetic, outdir,
               fp32 ? "float32" : "float16", n, n);
    }
    for (int i = first; i < argc; i++) {
        if (argv[i][0] == '-') {
            i += strcmp(argv[i], "--fp32") != 0; /* skip an option's value */
            continue;
        }
        struct image im = {0, 0, NULL};
        char why[256] = "";
        if (load_image(argv[i], &im, why, sizeof why) != 0) {
            fprintf(stderr, "hacl-img2bin: %s: %s\n", argv[i], why);
            free(im.rgb);
            failures++;
            continue;
        }
        to_tensor(&im, n, t);
        free(im.rgb);
        const char *base = strrchr(argv[i], '/');
        base = base ? base + 1 : argv[i];
        char name[1024];
        snprintf(name, sizeof name, "%s", base);
        char *dot = strrchr(name, '.');
        if (dot)
            *dot = '\0';
        if (write_tensor(outdir, name, t, count, fp32) != 0) {
            fprintf(stderr, "hacl-img2bin: cannot write %s/%s.bin\n", outdir, name);
            failures++;
        } else {
            printf("%s -> %s/%s.bin\n", argv[i], outdir, name);
        }
    }
    free(t);
    return failures ? 1 : 0;
}
