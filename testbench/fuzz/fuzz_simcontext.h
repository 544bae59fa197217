/* fuzz_simcontext.cpp: a fresh SystemC context before each input's platform. */
#ifndef SL_FUZZ_SIMCONTEXT_H
#define SL_FUZZ_SIMCONTEXT_H
#ifdef __cplusplus
extern "C" {
#endif
void fz_fresh_simcontext(void);
#ifdef __cplusplus
}
#endif
#endif
