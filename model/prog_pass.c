/*
 * Our own passes over a primitive's output, in place, where they beat the
 * post-op oneDNN would fuse into the primitive: SiLU (x * sigmoid(x)).
 *
 * oneDNN 2.6 evaluates a fused SiLU with its general exponential and a
 * division per vector: 0.40 ns per element on one Zen 4 core, more than
 * the 1x1 convolution in front of it (efficientnet's 16 -> 96 channel
 * expansion on 112x112: 0.36 ms, 0.84 with SiLU). The pass below reads the
 * finished output once more, and spends 0.23 ns per element, in cache or
 * not: exp(-x) from a 16-entry table of 2^(j/16) and a cubic, the
 * reciprocal from the CPU's 14-bit estimate and one Newton step (relative
 * error under 3e-7 against a double-precision reference).
 *
 * The pass is elementwise: it runs over the buffer's bytes whatever the
 * layout (blocked layouts' padding holds zeros, and SiLU(0) is 0).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/compute.h"
#include "prog_impl.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_PASSES 1

__attribute__((target("avx512f"))) static void silu_avx512(float *x, size_t n)
{
    /* 2^(j/16), j = 0..15 */
    static const float two_j16[16] = {
        1.0f,          1.0442737824f, 1.0905077327f, 1.1387886348f, 1.1892071150f, 1.2418578121f,
        1.2968395547f, 1.3542555469f, 1.4142135624f, 1.4768261459f, 1.5422108254f, 1.6104903319f,
        1.6817928305f, 1.7562521604f, 1.8340080864f, 1.9152065614f};
    const __m512 table = _mm512_loadu_ps(two_j16);
    const __m512 lo = _mm512_set1_ps(-80.0f), hi = _mm512_set1_ps(80.0f);
    const __m512 to_n = _mm512_set1_ps(-23.083120654223414f); /* -16 / ln 2 */
    /* 1.5 * 2^23: adding it rounds to an integer kept in the low mantissa
     * bits, whose low 4 bits are then the table index */
    const __m512 shifter = _mm512_set1_ps(12582912.0f);
    /* ln 2 / 16 in two parts, the first with 12 significant bits so k times
     * it is exact for every k the clamp allows */
    const __m512 step_hi = _mm512_set1_ps(0.0433197021484375f);
    const __m512 step_lo = _mm512_set1_ps(1.9966364561696537e-06f);
    const __m512 c3 = _mm512_set1_ps(1.0f / 6), c2 = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f);
    const __m512 sixteenth = _mm512_set1_ps(1.0f / 16), two = _mm512_set1_ps(2.0f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        /* below -80 the result is x * exp(x), nothing: -80 * exp(-80)
         * stands for it (-inf included); max keeps a NaN in its second
         * operand, so m does, while c (80 for it) stays finite */
        __m512 m = _mm512_max_ps(lo, _mm512_loadu_ps(x + i));
        __m512 c = _mm512_min_ps(m, hi);
        /* exp(-c) = 2^(k/16) * exp(r), k = round(-16 c / ln 2), r = -c - k ln2/16 */
        __m512 s = _mm512_fmadd_ps(c, to_n, shifter);
        __m512 k = _mm512_sub_ps(s, shifter);
        __m512 r = _mm512_fnmsub_ps(k, step_hi, c); /* -(k * hi) - c */
        r = _mm512_fnmadd_ps(k, step_lo, r);
        __m512 q = _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_fmadd_ps(c3, r, c2), r, one), r, one);
        __m512 t = _mm512_permutexvar_ps(_mm512_castps_si512(s), table);
        /* scalef multiplies by 2^floor(k / 16) */
        __m512 e = _mm512_scalef_ps(_mm512_mul_ps(q, t), _mm512_mul_ps(k, sixteenth));
        __m512 d = _mm512_add_ps(e, one);
        __m512 inv = _mm512_rcp14_ps(d);
        inv = _mm512_mul_ps(inv, _mm512_fnmadd_ps(d, inv, two));
        _mm512_storeu_ps(x + i, _mm512_mul_ps(m, inv));
    }
    if (i < n) { /* the tail through a mask */
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        float tmp[16] = {0};
        _mm512_mask_storeu_ps(tmp, m, _mm512_maskz_loadu_ps(m, x + i));
        silu_avx512(tmp, 16);
        _mm512_mask_storeu_ps(x + i, m, _mm512_loadu_ps(tmp));
    }
}
#else
#define HAVE_PASSES 0
#endif

/* Activation a of a primitive's float32 output, as our pass: whether we
 * have one for it on this CPU. */
int hacl_pg_pass_for(const struct hacl_prog *p, const struct act *a)
{
    if (!HAVE_PASSES || p->bf16 || a->node < 0 || a->alg != dnnl_eltwise_swish || a->alpha != 1.0f || a->clip01 ||
        getenv("HACL_EXP_NOPASS"))
        return 0;
#if HAVE_PASSES
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
#else
    return 0;
#endif
}

int hacl_pg_pass_step(struct hacl_prog *p, int b, const struct act *a, aclError *rc)
{
    (void)a; /* SiLU is the one pass so far */
    /* the pass runs over the buffer's bytes: they must be the tensor's
     * alone (no strided view) */
    const dnnl_memory_desc_t *md = &p->bufs[b].md;
    size_t dense = sizeof(float);
    for (int i = 0; i < md->ndims; i++)
        dense *= (size_t)md->padded_dims[i];
    if (md->data_type != dnnl_f32 || md->offset0 != 0 || dense != p->bufs[b].bytes)
        return hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: an in-place pass over a strided buffer");
    int s = hacl_pg_add_step(p, -1, rc);
    if (s < 0)
        return -1;
    struct pstep *st = &p->steps[s];
    st->kind = "SiLU";
    snprintf(st->impl, sizeof st->impl, "pass:avx512");
#if HAVE_PASSES
    st->pass = silu_avx512;
#endif
    st->pass_buf = b;
    st->pass_n = p->bufs[b].bytes / sizeof(float);
    hacl_pg_touch(p, b, s);
    return s;
}

/* Below this many elements the pass runs on one thread: a team's wake-up
 * costs about what 16 K elements take. */
#define PASS_SPLIT 16384

struct pass_job {
    void (*fn)(float *x, size_t n);
    float *x;
    size_t n, part;
};

static void pass_part(void *arg, int i)
{
    const struct pass_job *j = arg;
    size_t from = (size_t)i * j->part;
    if (from < j->n)
        j->fn(j->x + from, j->n - from < j->part ? j->n - from : j->part);
}

void hacl_pg_run_pass(const struct pstep *st, void *ptr)
{
    int team = hacl_compute_team_size();
    if (st->pass_n < PASS_SPLIT || team < 2) {
        st->pass(ptr, st->pass_n);
        return;
    }
    /* parts of whole vectors, one per thread */
    size_t part = (st->pass_n + (size_t)team - 1) / (size_t)team;
    part = (part + 15) & ~(size_t)15;
    struct pass_job j = {st->pass, ptr, st->pass_n, part};
    hacl_compute_parallel(pass_part, &j, team);
}
