/*
 * Our own passes over a primitive's output, in place, where they beat the
 * post-op oneDNN would fuse into the primitive: SiLU (x * sigmoid(x)) and
 * GELU (x * (1 + erf(x / sqrt 2)) / 2; oneDNN's post-op made ConvNeXt 7%
 * slower than no GELU at all, ViT and Swin 3%).
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
 * AVX2 versions (float32 only) serve CPUs without AVX-512.
 *
 * The pass is elementwise: it runs over the buffer's bytes whatever the
 * layout (blocked layouts' padding holds zeros, and SiLU(0) = GELU(0) = 0).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/compute.h"
#include "prog_impl.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_PASSES 1

#define AVX512 __attribute__((target("avx512f")))

/* x * sigmoid(x) for 16 floats */
AVX512 static inline __m512 silu16(__m512 x)
{
    /* 2^(j/16), j = 0..15 */
    static const float two_j16[16] = {
        1.0f,          1.0442737824f, 1.0905077327f, 1.1387886348f, 1.1892071150f, 1.2418578121f,
        1.2968395547f, 1.3542555469f, 1.4142135624f, 1.4768261459f, 1.5422108254f, 1.6104903319f,
        1.6817928305f, 1.7562521604f, 1.8340080864f, 1.9152065614f};
    const __m512 one = _mm512_set1_ps(1.0f);
    /* below -80 the result is x * exp(x), nothing: x * 0 (a zero, or NaN
     * for -inf, as x * Sigmoid(x) computes it); max keeps a NaN in its
     * second operand, so m does, while c (80 for it) stays finite */
    __mmask16 tiny = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-80.0f), _CMP_LT_OQ);
    __m512 m = _mm512_max_ps(_mm512_set1_ps(-80.0f), x);
    __m512 c = _mm512_min_ps(m, _mm512_set1_ps(80.0f));
    /* exp(-c) = 2^(k/16) * exp(r), k = round(-16 c / ln 2), r = -c - k ln2/16;
     * adding 1.5 * 2^23 rounds to an integer kept in the low mantissa
     * bits, whose low 4 bits are then the table index */
    const __m512 shifter = _mm512_set1_ps(12582912.0f);
    __m512 s = _mm512_fmadd_ps(c, _mm512_set1_ps(-23.083120654223414f), shifter);
    __m512 k = _mm512_sub_ps(s, shifter);
    /* ln 2 / 16 in two parts, the first with 12 significant bits so k times
     * it is exact for every k the clamp allows */
    __m512 r = _mm512_fnmsub_ps(k, _mm512_set1_ps(0.0433197021484375f), c); /* -(k * hi) - c */
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(1.9966364561696537e-06f), r);
    __m512 q = _mm512_fmadd_ps(_mm512_set1_ps(1.0f / 6), r, _mm512_set1_ps(0.5f));
    q = _mm512_fmadd_ps(_mm512_fmadd_ps(q, r, one), r, one);
    __m512 t = _mm512_permutexvar_ps(_mm512_castps_si512(s), _mm512_loadu_ps(two_j16));
    /* scalef multiplies by 2^floor(k / 16) */
    __m512 e = _mm512_scalef_ps(_mm512_mul_ps(q, t), _mm512_mul_ps(k, _mm512_set1_ps(1.0f / 16)));
    __m512 d = _mm512_add_ps(e, one);
    __m512 inv = _mm512_rcp14_ps(d);
    inv = _mm512_mul_ps(inv, _mm512_fnmadd_ps(d, inv, _mm512_set1_ps(2.0f)));
    return _mm512_mask_mul_ps(_mm512_mul_ps(m, inv), tiny, x, _mm512_setzero_ps());
}

/* erf(z) = z P(z^2) / Q(z^2) on |z| <= 4 (our own least-squares fit:
 * 4.4e-7 from erf in float), +-1 beyond: P's and Q's coefficients, the
 * constant term first (both GELU passes below) */
static const float erf_p[7] = {1.128379181e+00f, 1.846776809e-01f, 5.435332858e-02f, 3.841563322e-03f,
                               3.837681436e-04f, 4.809385081e-06f, -1.381112652e-08f};
static const float erf_q[6] = {1.0f, 4.969998760e-01f, 1.138350206e-01f, 1.546115953e-02f, 1.311461139e-03f,
                               6.428525375e-05f};

/* GELU, x * (1 + erf(x / sqrt 2)) / 2, for 16 floats; NaN stays NaN, +inf
 * stays +inf, -inf gives NaN (as -inf * 0). */
AVX512 static inline __m512 gelu16(__m512 x)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 z = _mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f));
    z = _mm512_min_ps(_mm512_max_ps(z, _mm512_set1_ps(-4.0f)), _mm512_set1_ps(4.0f));
    __m512 z2 = _mm512_mul_ps(z, z);
    __m512 num = _mm512_set1_ps(erf_p[6]), den = _mm512_set1_ps(erf_q[5]);
    for (int k = 5; k >= 0; k--)
        num = _mm512_fmadd_ps(num, z2, _mm512_set1_ps(erf_p[k]));
    for (int k = 4; k >= 0; k--)
        den = _mm512_fmadd_ps(den, z2, _mm512_set1_ps(erf_q[k]));
    __m512 inv = _mm512_rcp14_ps(den);
    inv = _mm512_mul_ps(inv, _mm512_fnmadd_ps(den, inv, _mm512_set1_ps(2.0f)));
    __m512 erf = _mm512_mul_ps(_mm512_mul_ps(z, num), inv);
    erf = _mm512_min_ps(_mm512_max_ps(erf, _mm512_set1_ps(-1.0f)), one);
    __m512 h = _mm512_mul_ps(x, _mm512_set1_ps(0.5f));
    return _mm512_fmadd_ps(h, erf, h);
}

/* bfloat16 <-> float32: the high half of a float's bits; back with
 * rounding to nearest even (a NaN stays a quiet NaN) */
AVX512 static inline __m512 bf16_load(__m256i h)
{
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

AVX512 static inline __m256i bf16_round(__m512 v)
{
    __m512i b = _mm512_castps_si512(v);
    __m512i odd = _mm512_and_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_add_epi32(b, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff)));
    __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    r = _mm512_mask_mov_epi32(r, nan, _mm512_or_si512(b, _mm512_set1_epi32(0x400000)));
    return _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16));
}

/* A pass's loops over n elements in place, float32 or bfloat16, around
 * its vector function f (inlined into each pass below: f is a constant
 * there). */
typedef __m512 (*vec_fn)(__m512);

AVX512 static inline __attribute__((always_inline)) void loop_f32(void *data, size_t n, vec_fn f)
{
    float *x = data;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(x + i, f(_mm512_loadu_ps(x + i)));
    if (i < n) { /* the tail through a mask */
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(x + i, m, f(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

AVX512 static inline __attribute__((always_inline)) void loop_bf16(void *data, size_t n, vec_fn f)
{
    uint16_t *x = data;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(x + i), bf16_round(f(bf16_load(_mm256_loadu_si256((const __m256i *)(x + i))))));
    if (i < n) { /* the tail through a vector's worth on the stack */
        uint16_t tail[16] = {0};
        memcpy(tail, x + i, (n - i) * sizeof *x);
        _mm256_storeu_si256((__m256i *)tail, bf16_round(f(bf16_load(_mm256_loadu_si256((const __m256i *)tail)))));
        memcpy(x + i, tail, (n - i) * sizeof *x);
    }
}

/* The same with the CPU's bfloat16 conversion (AVX512_BF16: round to
 * nearest even, NaN kept quiet, in one instruction for 32 values where
 * the integer rounding above takes seven per 16): 32 values a step,
 * widened per 128-bit lane by interleaving with zeros (no lane crossing),
 * computed in two halves, converted and put back in place by one word
 * permutation. 0.29 ns per element on a Zen 4 core against 0.42. */
#define AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512bf16")))

AVX512BF16 static inline __attribute__((always_inline)) void loop_bf16x(void *data, size_t n, vec_fn f)
{
    uint16_t *x = data;
    const __m512i zero = _mm512_setzero_si512();
    /* cvtne2ps puts the low half's 16 values first: the low half holds,
     * per lane of 8 words, the lane's first 4 */
    const __m512i back = _mm512_set_epi16(31, 30, 29, 28, 15, 14, 13, 12, 27, 26, 25, 24, 11, 10, 9, 8, 23, 22, 21, 20,
                                          7, 6, 5, 4, 19, 18, 17, 16, 3, 2, 1, 0);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512i v = _mm512_loadu_si512((const void *)(x + i));
        __m512 lo = f(_mm512_castsi512_ps(_mm512_unpacklo_epi16(zero, v)));
        __m512 hi = f(_mm512_castsi512_ps(_mm512_unpackhi_epi16(zero, v)));
        __m512i packed = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
        _mm512_storeu_si512((void *)(x + i), _mm512_permutexvar_epi16(back, packed));
    }
    if (i < n)
        loop_bf16(x + i, n - i, f);
}

AVX512 static void silu_f32(void *data, size_t n) { loop_f32(data, n, silu16); }
AVX512 static void silu_bf16(void *data, size_t n) { loop_bf16(data, n, silu16); }
AVX512BF16 static void silu_bf16x(void *data, size_t n) { loop_bf16x(data, n, silu16); }
AVX512 static void gelu_f32(void *data, size_t n) { loop_f32(data, n, gelu16); }
AVX512 static void gelu_bf16(void *data, size_t n) { loop_bf16(data, n, gelu16); }
AVX512BF16 static void gelu_bf16x(void *data, size_t n) { loop_bf16x(data, n, gelu16); }

/* The same two passes in AVX2 with FMA, for CPUs without AVX-512 (float32
 * only: bfloat16 maps need AVX-512). 8 floats a vector: exp(-x) from a
 * table of 2^(j/8) and a quartic (|r| <= ln 2 / 16), 2^n built in the
 * exponent bits, the reciprocal from the 12-bit estimate and a Newton
 * step. */
#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline __m256 recip8(__m256 d)
{
    __m256 inv = _mm256_rcp_ps(d);
    return _mm256_mul_ps(inv, _mm256_fnmadd_ps(d, inv, _mm256_set1_ps(2.0f)));
}

AVX2 static inline __m256 silu8(__m256 x)
{
    static const float two_j8[8] = {1.0000000000f, 1.0905077327f, 1.1892071150f, 1.2968395547f,
                                    1.4142135624f, 1.5422108254f, 1.6817928305f, 1.8340080864f};
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(-80.0f), _CMP_LT_OQ);
    __m256 m = _mm256_max_ps(_mm256_set1_ps(-80.0f), x); /* keeps a NaN, as above */
    __m256 c = _mm256_min_ps(m, _mm256_set1_ps(80.0f));
    /* exp(-c) = 2^(k/8) exp(r), k = round(-8 c / ln 2) */
    const __m256 shifter = _mm256_set1_ps(12582912.0f);
    __m256 s = _mm256_fmadd_ps(c, _mm256_set1_ps(-11.541560327111707f), shifter);
    __m256 k = _mm256_sub_ps(s, shifter);
    __m256 r = _mm256_fnmsub_ps(k, _mm256_set1_ps(0.086639404296875f), c);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(3.993272912339307e-06f), r);
    __m256 q = _mm256_fmadd_ps(_mm256_set1_ps(1.0f / 24), r, _mm256_set1_ps(1.0f / 6));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(0.5f));
    q = _mm256_fmadd_ps(_mm256_fmadd_ps(q, r, one), r, one);
    __m256 t = _mm256_permutevar8x32_ps(_mm256_loadu_ps(two_j8), _mm256_castps_si256(s));
    /* 2^floor(k / 8) in the exponent bits (|k / 8| <= 116: a normal float) */
    __m256i n = _mm256_srai_epi32(_mm256_cvtps_epi32(k), 3);
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
    __m256 e = _mm256_mul_ps(_mm256_mul_ps(q, t), scale);
    __m256 y = _mm256_mul_ps(m, recip8(_mm256_add_ps(e, one)));
    return _mm256_blendv_ps(y, _mm256_mul_ps(x, _mm256_setzero_ps()), tiny);
}

AVX2 static inline __m256 gelu8(__m256 x)
{
    __m256 z = _mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f));
    z = _mm256_min_ps(_mm256_max_ps(z, _mm256_set1_ps(-4.0f)), _mm256_set1_ps(4.0f));
    __m256 z2 = _mm256_mul_ps(z, z);
    __m256 num = _mm256_set1_ps(erf_p[6]), den = _mm256_set1_ps(erf_q[5]);
    for (int k = 5; k >= 0; k--)
        num = _mm256_fmadd_ps(num, z2, _mm256_set1_ps(erf_p[k]));
    for (int k = 4; k >= 0; k--)
        den = _mm256_fmadd_ps(den, z2, _mm256_set1_ps(erf_q[k]));
    __m256 erf = _mm256_mul_ps(_mm256_mul_ps(z, num), recip8(den));
    erf = _mm256_min_ps(_mm256_max_ps(erf, _mm256_set1_ps(-1.0f)), _mm256_set1_ps(1.0f));
    __m256 h = _mm256_mul_ps(x, _mm256_set1_ps(0.5f));
    return _mm256_fmadd_ps(h, erf, h);
}

typedef __m256 (*vec8_fn)(__m256);

AVX2 static inline __attribute__((always_inline)) void loop8_f32(void *data, size_t n, vec8_fn f)
{
    float *x = data;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(x + i, f(_mm256_loadu_ps(x + i)));
    if (i < n) {
        float tail[8] = {0};
        memcpy(tail, x + i, (n - i) * sizeof *x);
        _mm256_storeu_ps(tail, f(_mm256_loadu_ps(tail)));
        memcpy(x + i, tail, (n - i) * sizeof *x);
    }
}

AVX2 static void silu_avx2(void *data, size_t n) { loop8_f32(data, n, silu8); }
AVX2 static void gelu_avx2(void *data, size_t n) { loop8_f32(data, n, gelu8); }
#else
#define HAVE_PASSES 0
#endif

/* Below this many elements a fused post-op costs less than a step of its
 * own (each step costs a microsecond or two; the pass saves 0.17 ns per
 * element): SiLU on squeeze-and-excitation's 1x1 maps stays fused. */
#define PASS_MIN 8192

/* The passes this CPU runs: 3 AVX-512 with AVX512_BF16's conversion for
 * bfloat16 maps, 2 AVX-512 (float32 and bfloat16, our integer rounding),
 * 1 AVX2 with FMA (float32), 0 none. HOSTACL_OWN_PASSES in the
 * environment at load: "0" none (oneDNN's post-ops everywhere, for
 * comparison and diagnosis), "avx2" the AVX2 ones where AVX-512 is there
 * too, "avx512" our integer rounding where the conversion is there too
 * (tests). */
static int pass_isa(void)
{
#if HAVE_PASSES
    __builtin_cpu_init();
    const char *v = getenv("HOSTACL_OWN_PASSES");
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (v && !strcmp(v, "0"))
        return 0;
    if (v && !strcmp(v, "avx2"))
        return avx2;
    if (!__builtin_cpu_supports("avx512f"))
        return avx2;
    int cvt = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512bf16");
    return cvt && !(v && !strcmp(v, "avx512")) ? 3 : 2;
#else
    return 0;
#endif
}

/* Activation a of a primitive's output of `elements` elements (bfloat16
 * when bf16), as our pass: whether we have one for it on this CPU and it
 * pays. */
int hacl_pg_pass_for(const struct act *a, int64_t elements, int bf16)
{
    int silu = a->alg == dnnl_eltwise_swish && a->alpha == 1.0f, gelu = a->alg == dnnl_eltwise_gelu_erf;
    if (!HAVE_PASSES || a->node < 0 || !(silu || gelu) || a->clip01 || elements < PASS_MIN)
        return 0;
    int isa = pass_isa();
    return isa >= 2 || (isa == 1 && !bf16);
}

int hacl_pg_pass_step(struct hacl_prog *p, int b, const struct act *a, aclError *rc)
{
    /* the pass runs over the buffer's bytes: they must be the tensor's
     * alone (no strided view) */
    const dnnl_memory_desc_t *md = &p->bufs[b].md;
    size_t esize = md->data_type == dnnl_f32 ? 4 : md->data_type == dnnl_bf16 ? 2 : 0, dense = esize;
    for (int i = 0; i < md->ndims; i++)
        dense *= (size_t)md->padded_dims[i];
    if (!esize || md->offset0 != 0 || dense != p->bufs[b].bytes)
        return hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: an in-place pass over a strided buffer");
    int gelu = a->alg == dnnl_eltwise_gelu_erf, isa = pass_isa();
    if (isa < 2 && esize != 4)
        return hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: a bfloat16 pass without AVX-512");
    int s = hacl_pg_add_step(p, -1, rc);
    if (s < 0)
        return -1;
    struct pstep *st = &p->steps[s];
    st->kind = gelu ? "GELU" : "SiLU";
    snprintf(st->impl, sizeof st->impl, isa >= 2 ? "pass:avx512" : "pass:avx2");
#if HAVE_PASSES
    if (isa >= 2)
        st->pass = gelu ? (esize == 4 ? gelu_f32 : isa == 3 ? gelu_bf16x : gelu_bf16)
                        : (esize == 4 ? silu_f32 : isa == 3 ? silu_bf16x : silu_bf16);
    else
        st->pass = gelu ? gelu_avx2 : silu_avx2;
#endif
    st->pass_esize = esize;
    st->pass_buf = b;
    st->pass_n = p->bufs[b].bytes / esize;
    hacl_pg_touch(p, b, s);
    return s;
}

/* Below this many elements the pass runs on one thread: a team's wake-up
 * costs about what 16 K elements take. */
#define PASS_SPLIT 16384

struct pass_job {
    void (*fn)(void *x, size_t n);
    char *x;
    size_t n, part, esize;
};

static void pass_part(void *arg, int i)
{
    const struct pass_job *j = arg;
    size_t from = (size_t)i * j->part;
    if (from < j->n)
        j->fn(j->x + from * j->esize, j->n - from < j->part ? j->n - from : j->part);
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
    struct pass_job j = {st->pass, ptr, st->pass_n, part, st->pass_esize};
    hacl_compute_parallel(pass_part, &j, team);
}
