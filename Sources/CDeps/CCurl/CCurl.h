// libcurl for the shared HTTP transport, loaded when the first transfer is set up
// (dlopen of libcurl.so.4), not when the process starts: `dump` and `serve` never send
// a request, and libcurl with the 29 libraries it pulls in (TLS, HTTP/2, IDN, LDAP,
// Kerberos...) was about a third of the page faults of starting ipvs-push.
//
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one
// typed wrapper per argument kind. Every shim is prefixed with the module name; Swift
// calls libcurl only through them, after CCurl_load succeeded.
#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <stdio.h>

/// The libcurl functions the transport calls, looked up once by CCurl_load.
struct CCurl_api {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
};

/// Loads libcurl and fills `api` with its functions; on failure writes what went wrong
/// into `error` and returns -1. The caller runs it once and keeps `api` for good
/// (CurlGlobal): these functions are static inline, so each Swift file has its own copy
/// of them, and no state may live here.
static inline int CCurl_load(struct CCurl_api *api, char *error, size_t size) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(error, size, "%s", reason != NULL ? reason : "libcurl.so.4 not found");
        return -1;
    }
#define CCURL_LOOKUP(field, symbol)                                                                   \
    do {                                                                                              \
        *(void **)(&api->field) = dlsym(library, #symbol);                                            \
        if (api->field == NULL) {                                                                     \
            snprintf(error, size, "libcurl.so.4 has no %s", #symbol);                                \
            return -1;                                                                                \
        }                                                                                             \
    } while (0)
    CCURL_LOOKUP(global_init, curl_global_init);
    CCURL_LOOKUP(easy_init, curl_easy_init);
    CCURL_LOOKUP(easy_cleanup, curl_easy_cleanup);
    CCURL_LOOKUP(easy_reset, curl_easy_reset);
    CCURL_LOOKUP(easy_perform, curl_easy_perform);
    CCURL_LOOKUP(easy_setopt, curl_easy_setopt);
    CCURL_LOOKUP(easy_getinfo, curl_easy_getinfo);
    CCURL_LOOKUP(easy_strerror, curl_easy_strerror);
    CCURL_LOOKUP(slist_append, curl_slist_append);
    CCURL_LOOKUP(slist_free_all, curl_slist_free_all);
#undef CCURL_LOOKUP
    return 0;
}

/// CURL_GLOBAL_ALL is a compound macro, which Swift does not import.
static inline CURLcode CCurl_global_init_all(const struct CCurl_api *api) { return api->global_init(CURL_GLOBAL_ALL); }
static inline CURL *CCurl_easy_init(const struct CCurl_api *api) { return api->easy_init(); }
static inline void CCurl_easy_cleanup(const struct CCurl_api *api, CURL *h) { api->easy_cleanup(h); }
static inline void CCurl_easy_reset(const struct CCurl_api *api, CURL *h) { api->easy_reset(h); }
static inline CURLcode CCurl_easy_perform(const struct CCurl_api *api, CURL *h) { return api->easy_perform(h); }
static inline const char *CCurl_easy_strerror(const struct CCurl_api *api, CURLcode c) { return api->easy_strerror(c); }
static inline struct curl_slist *CCurl_slist_append(const struct CCurl_api *api, struct curl_slist *l, const char *s) {
    return api->slist_append(l, s);
}
static inline void CCurl_slist_free_all(const struct CCurl_api *api, struct curl_slist *l) { api->slist_free_all(l); }

static inline CURLcode CCurl_easy_setopt_long(const struct CCurl_api *api, CURL *h, CURLoption o, long v) {
    return api->easy_setopt(h, o, v);
}
static inline CURLcode CCurl_easy_setopt_string(const struct CCurl_api *api, CURL *h, CURLoption o, const char *v) {
    return api->easy_setopt(h, o, v);
}
static inline CURLcode CCurl_easy_setopt_pointer(const struct CCurl_api *api, CURL *h, CURLoption o, void *v) {
    return api->easy_setopt(h, o, v);
}
static inline CURLcode CCurl_easy_setopt_off_t(const struct CCurl_api *api, CURL *h, CURLoption o, curl_off_t v) {
    return api->easy_setopt(h, o, v);
}
static inline CURLcode CCurl_easy_setopt_slist(const struct CCurl_api *api, CURL *h, CURLoption o, struct curl_slist *v) {
    return api->easy_setopt(h, o, v);
}
static inline CURLcode CCurl_easy_setopt_write_function(const struct CCurl_api *api, CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return api->easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode CCurl_easy_setopt_header_function(const struct CCurl_api *api, CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return api->easy_setopt(h, CURLOPT_HEADERFUNCTION, f);
}
/// The progress callback is how a blocking transfer learns that its Swift task was
/// cancelled (returning non-zero aborts it); its function type differs from the others.
static inline CURLcode CCurl_easy_setopt_xferinfo_function(const struct CCurl_api *api, 
    CURL *h, int (*f)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t)) {
    return api->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f);
}
static inline CURLcode CCurl_easy_getinfo_long(const struct CCurl_api *api, CURL *h, CURLINFO i, long *v) {
    return api->easy_getinfo(h, i, v);
}
static inline CURLcode CCurl_easy_getinfo_double(const struct CCurl_api *api, CURL *h, CURLINFO i, double *v) {
    return api->easy_getinfo(h, i, v);
}
/// The *_TIME_T infos (microseconds) come back through a curl_off_t pointer.
static inline CURLcode CCurl_easy_getinfo_off_t(const struct CCurl_api *api, CURL *h, CURLINFO i, curl_off_t *v) {
    return api->easy_getinfo(h, i, v);
}

/// CURL_ERROR_SIZE is the size CURLOPT_ERRORBUFFER must have; exported as a function so
/// the Swift side allocates exactly what libcurl writes into.
static inline int CCurl_error_size(void) { return CURL_ERROR_SIZE; }

#endif
