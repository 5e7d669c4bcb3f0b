#ifndef EXT4_CRC_H
#define EXT4_CRC_H
#include <stddef.h>
#include <stdint.h>
/* Raw (un-inverted) crc32c and crc16 as ext4/jbd2 use them. */
uint32_t ext4_crc32c_raw(uint32_t crc, const void *buf, size_t len);
uint16_t ext4_crc16_raw(uint16_t crc, const void *buf, size_t len);
#endif
