/* zircon/device/ioctl.h: how Zircon numbers device ioctls (the DDK's ioctl hook): kind,
 * family and number packed as --K-FFNN. Only the kinds and the families Staleline's headers
 * use are listed. */
#ifndef SYSROOT_ZIRCON_DEVICE_IOCTL_H_
#define SYSROOT_ZIRCON_DEVICE_IOCTL_H_

#define IOCTL_KIND_DEFAULT 0x0
#define IOCTL_KIND_GET_HANDLE 0x1
#define IOCTL_KIND_GET_TWO_HANDLES 0x2
#define IOCTL_KIND_SET_HANDLE 0x3
#define IOCTL_KIND_GET_THREE_HANDLES 0x4
#define IOCTL_KIND_SET_TWO_HANDLES 0x5

#define IOCTL_FAMILY_RESERVED 0x00
#define IOCTL_FAMILY_DEVICE 0x01
#define IOCTL_FAMILY_ETH 0x11
#define IOCTL_FAMILY_BLOCK 0x13

#define IOCTL(kind, family, number) ((((kind) & 0xF) << 20) | (((family) & 0xFF) << 8) | ((number) & 0xFF))
#define IOCTL_KIND(n) (((n) >> 20) & 0xF)
#define IOCTL_FAMILY(n) (((n) >> 8) & 0xFF)
#define IOCTL_NUMBER(n) ((n) & 0xFF)

#endif /* SYSROOT_ZIRCON_DEVICE_IOCTL_H_ */
