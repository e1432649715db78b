#include "CCurl.h"

#include <dlfcn.h>
#include <stdio.h>

int CCurl_load(struct CCurl_api *api, char *error, size_t size) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(error, size, "%s", reason != NULL ? reason : "libcurl.so.4 not found");
        return -1;
    }
#define CCURL_LOOKUP(field, symbol)                                                                                   \
    do {                                                                                                              \
        *(void **)(&api->field) = dlsym(library, #symbol);                                                            \
        if (api->field == NULL) {                                                                                     \
            snprintf(error, size, "libcurl.so.4 has no %s", #symbol);                                                \
            return -1;                                                                                                \
        }                                                                                                             \
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

CURLcode CCurl_global_init_all(const struct CCurl_api *api) { return api->global_init(CURL_GLOBAL_ALL); }

CURL *CCurl_easy_init(const struct CCurl_api *api) { return api->easy_init(); }

void CCurl_easy_cleanup(const struct CCurl_api *api, CURL *handle) { api->easy_cleanup(handle); }

void CCurl_easy_reset(const struct CCurl_api *api, CURL *handle) { api->easy_reset(handle); }

CURLcode CCurl_easy_perform(const struct CCurl_api *api, CURL *handle) { return api->easy_perform(handle); }

const char *CCurl_easy_strerror(const struct CCurl_api *api, CURLcode code) { return api->easy_strerror(code); }

struct curl_slist *CCurl_slist_append(const struct CCurl_api *api, struct curl_slist *list, const char *line) {
    return api->slist_append(list, line);
}

void CCurl_slist_free_all(const struct CCurl_api *api, struct curl_slist *list) { api->slist_free_all(list); }

CURLcode CCurl_easy_setopt_long(const struct CCurl_api *api, CURL *handle, CURLoption option, long value) {
    return api->easy_setopt(handle, option, value);
}

CURLcode CCurl_easy_setopt_string(const struct CCurl_api *api, CURL *handle, CURLoption option, const char *value) {
    return api->easy_setopt(handle, option, value);
}

CURLcode CCurl_easy_setopt_pointer(const struct CCurl_api *api, CURL *handle, CURLoption option, void *value) {
    return api->easy_setopt(handle, option, value);
}

CURLcode CCurl_easy_setopt_off_t(const struct CCurl_api *api, CURL *handle, CURLoption option, curl_off_t value) {
    return api->easy_setopt(handle, option, value);
}

CURLcode CCurl_easy_setopt_slist(const struct CCurl_api *api, CURL *handle, CURLoption option,
                                 struct curl_slist *value) {
    return api->easy_setopt(handle, option, value);
}

CURLcode CCurl_easy_setopt_write_function(const struct CCurl_api *api, CURL *handle,
                                          size_t (*function)(char *, size_t, size_t, void *)) {
    return api->easy_setopt(handle, CURLOPT_WRITEFUNCTION, function);
}

CURLcode CCurl_easy_setopt_header_function(const struct CCurl_api *api, CURL *handle,
                                           size_t (*function)(char *, size_t, size_t, void *)) {
    return api->easy_setopt(handle, CURLOPT_HEADERFUNCTION, function);
}

CURLcode CCurl_easy_setopt_xferinfo_function(const struct CCurl_api *api, CURL *handle,
                                             int (*function)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t)) {
    return api->easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, function);
}

CURLcode CCurl_easy_getinfo_long(const struct CCurl_api *api, CURL *handle, CURLINFO info, long *value) {
    return api->easy_getinfo(handle, info, value);
}

CURLcode CCurl_easy_getinfo_off_t(const struct CCurl_api *api, CURL *handle, CURLINFO info, curl_off_t *value) {
    return api->easy_getinfo(handle, info, value);
}

int CCurl_error_size(void) { return CURL_ERROR_SIZE; }
