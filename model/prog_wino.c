/*
 * Winograd convolution weights (F(2x2, 3x3) and F(4x4, 3x3)) computed by
 * us, straight into oneDNN's Winograd weight layouts.
 *
 * oneDNN converts plain weights into its Winograd layout with a scalar
 * loop that reads each output channel's 3x3 kernels a whole input-channel
 * row apart: 20-25 ns per weight on the machines we measured, 60 ms for
 * one 512x512 convolution, 0.24 s of ResNet-18's 0.30 s load. Here the
 * same transform U = G g G^T runs over a block of output channels at a
 * time, the block's lanes side by side, and each result plane is written
 * in order. F(4x4, 3x3)'s weights (36 planes) cost oneDNN 0.36 s for
 * FCN-ResNet50's one 512x2048 head convolution.
 *
 * The layouts are the ones oneDNN 2.6 describes with its public
 * dnnl_wino_desc_t (planes of the 4x4 transformed tile, then blocks of
 * output and input channels); another oneDNN version, a layout not listed
 * here, or weights not plain oihw float32 leave the conversion to oneDNN.
 */
#include "prog_wino.h"

#include <oneapi/dnnl/dnnl.h>
#include <string.h>

enum { TAPS = 3, MAX_ALPHA = 6, MAX_PLANES = MAX_ALPHA * MAX_ALPHA, MAX_BLOCK = 64 };

/* The interpolation matrices G (alpha x 3) the kernels expect: F(2x2, 3x3)
 * at 0, 1, -1 and infinity; oneDNN's F(4x4, 3x3) at 0, +-1/2, +-2 and
 * infinity with its rows scaled (its output transform holds the rest). */
static const float G4[4][TAPS] = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
static const float G6[6][TAPS] = {
    {256.0f / 225, 0, 0},
    {-2048.0f / 2975, -256.0f / 595, -32.0f / 119},
    {-2048.0f / 2975, 256.0f / 595, -32.0f / 119},
    {128.0f / 1071, 64.0f / 357, 32.0f / 119},
    {128.0f / 1071, -64.0f / 357, 32.0f / 119},
    {0, 0, 1},
};

/* The layouts this file writes, as oneDNN 2.6 lays them out. */
static int known_layout(const dnnl_wino_desc_t *w)
{
    const dnnl_version_t *v = dnnl_version();
    if (!v || v->major != 2 || v->minor != 6)
        return 0;
    if (w->r != TAPS || w->ic_block < 1 || w->oc_block < 1 || w->oc_block > MAX_BLOCK || w->oc2_block < 1 ||
        w->ic2_block < 1 || w->ic % w->ic_block || w->oc % w->oc_block || (w->oc / w->oc_block) % w->oc2_block)
        return 0;
    if (w->wino_format == dnnl_wino_wei_OBaaIBOIio)
        return w->alpha == 6 && (w->ic / w->ic_block) % w->ic2_block == 0;
    return w->alpha == 4 && (w->wino_format == dnnl_wino_wei_aaOIoi || w->wino_format == dnnl_wino_wei_aaOio ||
                             w->wino_format == dnnl_wino_wei_aaOBiOo);
}

int hacl_pg_wino_ours(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to)
{
    if (to->format_kind != dnnl_format_kind_wino || to->data_type != dnnl_f32 || from->data_type != dnnl_f32 ||
        from->ndims != 4 || from->dims[2] != TAPS || from->dims[3] != TAPS)
        return 0;
    dnnl_memory_desc_t oihw;
    if (dnnl_memory_desc_init_by_tag(&oihw, 4, from->dims, dnnl_f32, dnnl_oihw) != dnnl_success ||
        !dnnl_memory_desc_equal(&oihw, from))
        return 0;
    const dnnl_wino_desc_t *w = &to->format_desc.wino_desc;
    return known_layout(w) && w->oc >= from->dims[0] && w->ic >= from->dims[1] &&
           dnnl_memory_desc_get_size(to) >= (size_t)w->alpha * w->alpha * w->ic * w->oc * sizeof(float);
}

/* Where output channel block ob's lane 0 of plane 0, input channel ic
 * goes; how far apart the block's lanes are (*step) and the planes (the
 * rows and columns of the transformed tile: *plane). */
static size_t lane0(const dnnl_wino_desc_t *w, int ic, int ob, size_t *step, size_t *plane)
{
    size_t IC = w->ic, OC = w->oc, icb = w->ic_block, ocb = w->oc_block;
    size_t ib = ic / icb, i = ic % icb, nb_ic = IC / icb;
    *step = 1;
    *plane = IC * OC;
    switch (w->wino_format) {
    case dnnl_wino_wei_aaOIoi: /* [p][OB][IB][o][i] */
        *step = icb;
        return ((ob * nb_ic + ib) * ocb) * icb + i;
    case dnnl_wino_wei_aaOio: /* [p][OB][IC][o] */
        return (ob * IC + ic) * ocb;
    case dnnl_wino_wei_aaOBiOo: { /* [p][OB / oc2][IB][i][oc2][o] */
        size_t oc2 = w->oc2_block, chunk = ob / oc2, ob2 = ob % oc2;
        return (((chunk * nb_ic + ib) * icb + i) * oc2 + ob2) * ocb;
    }
    default: { /* OBaaIBOIio: [OB / oc2][p][IB / ic2][oc2][ic2][i][o] */
        size_t oc2 = w->oc2_block, ic2 = w->ic2_block, a = w->alpha;
        size_t ochunk = ob / oc2, ob2 = ob % oc2, ichunk = ib / ic2, ib2 = ib % ic2;
        *plane = IC * oc2 * ocb;
        return (((ochunk * a * a * (nb_ic / ic2) + ichunk) * oc2 + ob2) * ic2 + ib2) * icb * ocb + i * ocb;
    }
    }
}

/* U = G g G^T for `lanes` kernels side by side: g[k][l][lane] in,
 * u[i * alpha + j][lane] out. */
static void transform(const float *G, int alpha, const float g[TAPS][TAPS][MAX_BLOCK], float u[][MAX_BLOCK],
                      int lanes)
{
    float t[TAPS][MAX_ALPHA][MAX_BLOCK]; /* g G^T */
    for (int k = 0; k < TAPS; k++)
        for (int j = 0; j < alpha; j++) {
            float c0 = G[j * TAPS], c1 = G[j * TAPS + 1], c2 = G[j * TAPS + 2];
#pragma omp simd
            for (int o = 0; o < lanes; o++)
                t[k][j][o] = g[k][0][o] * c0 + g[k][1][o] * c1 + g[k][2][o] * c2;
        }
    for (int i = 0; i < alpha; i++)
        for (int j = 0; j < alpha; j++) {
            float c0 = G[i * TAPS], c1 = G[i * TAPS + 1], c2 = G[i * TAPS + 2];
#pragma omp simd
            for (int o = 0; o < lanes; o++)
                u[i * alpha + j][o] = c0 * t[0][j][o] + c1 * t[1][j][o] + c2 * t[2][j][o];
        }
}

void hacl_pg_wino_weights(const dnnl_memory_desc_t *from, const float *src, const dnnl_memory_desc_t *to, float *dst)
{
    const dnnl_wino_desc_t *w = &to->format_desc.wino_desc;
    int64_t oc_n = from->dims[0], ic_n = from->dims[1];
    int ocb = w->oc_block, alpha = w->alpha;
    const float *G = alpha == 6 ? &G6[0][0] : &G4[0][0];
    float g[TAPS][TAPS][MAX_BLOCK];
    float u[MAX_PLANES][MAX_BLOCK];
    for (int ob = 0; ob < w->oc / ocb; ob++)
        for (int ic = 0; ic < w->ic; ic++) {
            for (int o = 0; o < ocb; o++) {
                int64_t oc = (int64_t)ob * ocb + o;
                if (oc < oc_n && ic < ic_n) {
                    const float *k = src + (oc * ic_n + ic) * TAPS * TAPS;
                    g[0][0][o] = k[0], g[0][1][o] = k[1], g[0][2][o] = k[2];
                    g[1][0][o] = k[3], g[1][1][o] = k[4], g[1][2][o] = k[5];
                    g[2][0][o] = k[6], g[2][1][o] = k[7], g[2][2][o] = k[8];
                } else {
                    for (int t = 0; t < TAPS * TAPS; t++)
                        g[t / TAPS][t % TAPS][o] = 0.0f;
                }
            }
            transform(G, alpha, (const float(*)[TAPS][MAX_BLOCK])g, u, ocb);
            size_t step, plane, at = lane0(w, ic, ob, &step, &plane);
            for (int p = 0; p < alpha * alpha; p++) {
                float *d = dst + at + (size_t)p * plane;
                const float *s = u[p];
                if (step == 1)
                    memcpy(d, s, (size_t)ocb * sizeof(float));
                else
                    for (int o = 0; o < ocb; o++)
                        d[o * step] = s[o];
            }
        }
}
