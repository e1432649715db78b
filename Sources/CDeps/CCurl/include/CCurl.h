// libcurl for the shared HTTP transport, loaded when the first transfer is set up
// (dlopen of libcurl.so.4), not when the process starts: `dump` and `serve` never send
// a request, and libcurl with the 29 libraries it pulls in (TLS, HTTP/2, IDN, LDAP,
// Kerberos...) was about a third of the page faults of starting ipvs-push. The target
// therefore links nothing: only libcurl's headers (libcurl4-openssl-dev) are needed to
// build, and libcurl4 at run time.
//
// Swift calls libcurl only through these shims, defined in CCurl.c, after CCurl_load
// succeeded; each takes the table of functions CCurl_load filled.
#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>
#include <stddef.h>

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
/// (CurlGlobal).
int CCurl_load(struct CCurl_api *api, char *error, size_t size);

/// curl_global_init(CURL_GLOBAL_ALL): CURL_GLOBAL_ALL is a compound macro, which Swift
/// does not import.
CURLcode CCurl_global_init_all(const struct CCurl_api *api);

// Calls through the loaded table: Swift cannot call a C function pointer that takes a
// variadic argument list, and these keep every libcurl call in one form.
CURL *CCurl_easy_init(const struct CCurl_api *api);
void CCurl_easy_cleanup(const struct CCurl_api *api, CURL *handle);
void CCurl_easy_reset(const struct CCurl_api *api, CURL *handle);
CURLcode CCurl_easy_perform(const struct CCurl_api *api, CURL *handle);
const char *CCurl_easy_strerror(const struct CCurl_api *api, CURLcode code);
struct curl_slist *CCurl_slist_append(const struct CCurl_api *api, struct curl_slist *list, const char *line);
void CCurl_slist_free_all(const struct CCurl_api *api, struct curl_slist *list);

// curl_easy_setopt is variadic, which Swift cannot call: one typed wrapper per kind of
// argument (long, string, pointer, curl_off_t, header list, callback).
CURLcode CCurl_easy_setopt_long(const struct CCurl_api *api, CURL *handle, CURLoption option, long value);
CURLcode CCurl_easy_setopt_string(const struct CCurl_api *api, CURL *handle, CURLoption option, const char *value);
CURLcode CCurl_easy_setopt_pointer(const struct CCurl_api *api, CURL *handle, CURLoption option, void *value);
CURLcode CCurl_easy_setopt_off_t(const struct CCurl_api *api, CURL *handle, CURLoption option, curl_off_t value);
CURLcode CCurl_easy_setopt_slist(const struct CCurl_api *api, CURL *handle, CURLoption option,
                                 struct curl_slist *value);
/// CURLOPT_WRITEFUNCTION: the response body.
CURLcode CCurl_easy_setopt_write_function(const struct CCurl_api *api, CURL *handle,
                                          size_t (*function)(char *, size_t, size_t, void *));
/// CURLOPT_HEADERFUNCTION: the response headers.
CURLcode CCurl_easy_setopt_header_function(const struct CCurl_api *api, CURL *handle,
                                           size_t (*function)(char *, size_t, size_t, void *));
/// CURLOPT_XFERINFOFUNCTION: how a blocking transfer learns that its Swift task was
/// cancelled (returning non-zero aborts it); its function type differs from the others.
CURLcode CCurl_easy_setopt_xferinfo_function(const struct CCurl_api *api, CURL *handle,
                                             int (*function)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t));

// curl_easy_getinfo is variadic too: one wrapper per kind of result.
CURLcode CCurl_easy_getinfo_long(const struct CCurl_api *api, CURL *handle, CURLINFO info, long *value);
/// The *_TIME_T infos (microseconds) come back through a curl_off_t pointer.
CURLcode CCurl_easy_getinfo_off_t(const struct CCurl_api *api, CURL *handle, CURLINFO info, curl_off_t *value);

/// CURL_ERROR_SIZE, the size CURLOPT_ERRORBUFFER must have, as a function so that the
/// Swift side allocates exactly what libcurl writes into.
int CCurl_error_size(void);

#endif
