/* crc32.c: CRC-32/IEEE (reflected, polynomial 0xEDB88320, as zlib's crc32()), the checksum the
 * engine writes back for the bytes a descriptor moved. zlib's convention: start from 0, feed
 * the data in pieces, each call returns the CRC of everything so far. */
#include <stddef.h>
#include <stdint.h>

#include "dmac.h"

static uint32_t crc_table[256];
static int crc_table_ready;

static void crc_table_init(void) {
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
  crc_table_ready = 1;
}

uint32_t dmac_crc32_update(uint32_t crc, const void* data, size_t len) {
  if (!crc_table_ready) crc_table_init();
  const uint8_t* p = data;
  uint32_t c = ~crc;
  for (size_t i = 0; i < len; ++i) c = crc_table[(c ^ p[i]) & 0xffu] ^ (c >> 8);
  return ~c;
}
