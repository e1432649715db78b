// libxcrypt's crypt_r, which checks bcrypt ($2a$/$2b$/$2y$) password hashes.
#ifndef CCRYPT_H
#define CCRYPT_H
#include <crypt.h>
#endif
