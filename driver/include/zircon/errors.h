/* zircon/errors.h: zx_status_t values. Same names and numbers as Fuchsia. */
#ifndef SYSROOT_ZIRCON_ERRORS_H_
#define SYSROOT_ZIRCON_ERRORS_H_

#define ZX_OK (0)

/* Internal failures */
#define ZX_ERR_INTERNAL (-1)            /* unspecified error */
#define ZX_ERR_NOT_SUPPORTED (-2)       /* operation not implemented, supported or enabled */
#define ZX_ERR_NO_RESOURCES (-3)        /* could not allocate some resource */
#define ZX_ERR_NO_MEMORY (-4)           /* could not allocate memory */
/* -5 was ZX_ERR_CALL_FAILED */
#define ZX_ERR_INTERNAL_INTR_RETRY (-6) /* interrupted syscall, retry (never seen by callers) */

/* Parameter errors */
#define ZX_ERR_INVALID_ARGS (-10)       /* an argument is invalid (e.g. a NULL pointer) */
#define ZX_ERR_BAD_HANDLE (-11)         /* a handle value does not refer to a handle */
#define ZX_ERR_WRONG_TYPE (-12)         /* the object is of the wrong type for the operation */
#define ZX_ERR_BAD_SYSCALL (-13)        /* invalid syscall number */
#define ZX_ERR_OUT_OF_RANGE (-14)       /* an argument is outside the valid range */
#define ZX_ERR_BUFFER_TOO_SMALL (-15)   /* a caller buffer is too small */

/* Precondition or state errors */
#define ZX_ERR_BAD_STATE (-20)          /* the object's state does not allow the operation */
#define ZX_ERR_TIMED_OUT (-21)          /* the deadline passed first */
#define ZX_ERR_SHOULD_WAIT (-22)        /* cannot be done now, may succeed after a wait */
#define ZX_ERR_CANCELED (-23)           /* the in-progress operation (e.g. a wait) was canceled */
#define ZX_ERR_PEER_CLOSED (-24)        /* the other end was closed */
#define ZX_ERR_NOT_FOUND (-25)          /* the requested entity was not found */
#define ZX_ERR_ALREADY_EXISTS (-26)     /* an object with that identifier already exists */
#define ZX_ERR_ALREADY_BOUND (-27)      /* the entity is owned by someone else */
#define ZX_ERR_UNAVAILABLE (-28)        /* the subject cannot perform the operation now */

/* Permission check errors */
#define ZX_ERR_ACCESS_DENIED (-30)      /* the caller lacks the permission (right) */

/* Input-output errors */
#define ZX_ERR_IO (-40)
#define ZX_ERR_IO_REFUSED (-41)
#define ZX_ERR_IO_DATA_INTEGRITY (-42)
#define ZX_ERR_IO_DATA_LOSS (-43)
#define ZX_ERR_IO_NOT_PRESENT (-44)
#define ZX_ERR_IO_OVERRUN (-45)
#define ZX_ERR_IO_MISSED_DEADLINE (-46)
#define ZX_ERR_IO_INVALID (-47)

/* Filesystem errors */
#define ZX_ERR_BAD_PATH (-50)
#define ZX_ERR_NOT_DIR (-51)
#define ZX_ERR_NOT_FILE (-52)
#define ZX_ERR_FILE_BIG (-53)
#define ZX_ERR_NO_SPACE (-54)
#define ZX_ERR_NOT_EMPTY (-55)

/* Flow control: returned by callbacks, never by a syscall */
#define ZX_ERR_STOP (-60)
#define ZX_ERR_NEXT (-61)
#define ZX_ERR_ASYNC (-62)

/* Network errors */
#define ZX_ERR_PROTOCOL_NOT_SUPPORTED (-70)
#define ZX_ERR_ADDRESS_UNREACHABLE (-71)
#define ZX_ERR_ADDRESS_IN_USE (-72)
#define ZX_ERR_NOT_CONNECTED (-73)
#define ZX_ERR_CONNECTION_REFUSED (-74)
#define ZX_ERR_CONNECTION_RESET (-75)
#define ZX_ERR_CONNECTION_ABORTED (-76)

/* vDSO-private */
#define ZX_ERR_INTERNAL_INTR_KILLED (-502)

#endif /* SYSROOT_ZIRCON_ERRORS_H_ */
