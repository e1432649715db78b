// libxcrypt's crypt_rn and crypt_gensalt_rn, which make and check bcrypt ($2a$/$2b$/$2y$)
// password hashes for web.config.yml's basic_auth_users.
#ifndef CCRYPT_H
#define CCRYPT_H
#include <crypt.h>
#include <string.h>

// Clears memory that held a password (crypt_data keeps a copy of the phrase) in a way the
// optimiser may not remove, which a plain memset before free does not guarantee.
static inline void CCrypt_wipe(void *pointer, size_t size) {
    explicit_bzero(pointer, size);
}

#endif
