/* MaintenanceState specs, the built-in providers, and the file: provider
 * at work in a temporary directory. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "unit.h"
#include "provider.h"

typedef struct {
    apr_pool_t *p;
    const char *dir;      /* a fresh temporary directory */
    maintenance_provider_params params;
    const char *err;      /* the last call's error, or NULL */
} fixture;

static int fixture_setup(void **state)
{
    apr_pool_t *p;
    fixture *fx;
    const char *tmp;
    char *dir;

    if (unit_setup((void **)&p) != 0) {
        return -1;
    }
    fx = apr_pcalloc(p, sizeof(*fx));
    fx->p = p;
    if (apr_temp_dir_get(&tmp, p) != APR_SUCCESS) {
        return -1;
    }
    dir = apr_pstrcat(p, tmp, "/unit_file_provider.XXXXXX", NULL);
    if (!mkdtemp(dir)) {
        return -1;
    }
    fx->dir = dir;
    fx->params.timeout = apr_time_from_sec(1);
    fx->params.uid = getuid();
    fx->params.gid = getgid();
    *state = fx;
    return 0;
}

/* rm -r path. */
static void remove_tree(const char *path, apr_pool_t *p)
{
    apr_dir_t *dir;
    apr_finfo_t fi;

    if (apr_dir_open(&dir, path, p) != APR_SUCCESS) {
        apr_file_remove(path, p);
        return;
    }
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, dir)
           == APR_SUCCESS) {
        const char *child;

        if (!strcmp(fi.name, ".") || !strcmp(fi.name, "..")) {
            continue;
        }
        child = apr_pstrcat(p, path, "/", fi.name, NULL);
        if (fi.filetype == APR_DIR) {
            remove_tree(child, p);
        }
        else {
            apr_file_remove(child, p);
        }
    }
    apr_dir_close(dir);
    apr_dir_remove(path, p);
}

static int fixture_teardown(void **state)
{
    fixture *fx = *state;

    remove_tree(fx->dir, fx->p);
    *state = fx->p;
    return unit_teardown(state);
}

#define FILE_TEST(f) \
    cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

static const apr_table_t *no_options(apr_pool_t *p)
{
    return apr_table_make(p, 1);
}

static const char *in_dir(const fixture *fx, const char *name)
{
    return apr_pstrcat(fx->p, fx->dir, "/", name, NULL);
}

/* A file: provider instance for path, or fail the test. */
static void *instance(fixture *fx, const char *path)
{
    void *inst = NULL;
    const char *err = maintenance_file_provider.create(&inst, path,
                                                       no_options(fx->p),
                                                       &fx->params, fx->p);

    if (err) {
        fail_msg("create(\"%s\"): %s", path, err);
    }
    assert_non_null(inst);
    return inst;
}

static void write_file(const char *path, const char *text, apr_size_t len,
                       apr_pool_t *p)
{
    apr_file_t *f;

    assert_int_equal(apr_file_open(&f, path, APR_FOPEN_CREATE
                                   | APR_FOPEN_WRITE | APR_FOPEN_TRUNCATE,
                                   APR_FPROT_OS_DEFAULT, p), APR_SUCCESS);
    assert_int_equal(apr_file_write_full(f, text, len, NULL), APR_SUCCESS);
    assert_int_equal(apr_file_close(f), APR_SUCCESS);
}

/* get() returns exactly want. */
static void assert_get(fixture *fx, void *inst, const char *want)
{
    char buf[MAINTENANCE_STATE_MAX + 1];
    apr_size_t len = 0;
    apr_status_t rv = maintenance_file_provider.get(inst, buf, &len, fx->p,
                                                    &fx->err);

    if (rv != APR_SUCCESS) {
        fail_msg("get: %d %s", rv, fx->err);
    }
    assert_int_equal(len, strlen(want));
    assert_memory_equal(buf, want, len);
}

static apr_status_t set(fixture *fx, void *inst, const char *text)
{
    fx->err = NULL;
    return maintenance_file_provider.set(inst, text, strlen(text), fx->p,
                                         &fx->err);
}

static apr_status_t get_status(fixture *fx, void *inst)
{
    char buf[MAINTENANCE_STATE_MAX + 1];
    apr_size_t len = 0;

    fx->err = NULL;
    return maintenance_file_provider.get(inst, buf, &len, fx->p, &fx->err);
}

static void test_spec_split(void **state)
{
    static const struct {
        const char *spec, *name, *args;  /* name NULL: an error */
    } rows[] = {
        { "file:/var/lib/apache2/maintenance/state", "file",
          "/var/lib/apache2/maintenance/state" },
        { "file:", "file", "" },
        { "memcache:127.0.0.1:11211,10.0.0.2:11211/site_state", "memcache",
          "127.0.0.1:11211,10.0.0.2:11211/site_state" },
        { "s3:https://s3.eu-west-1.amazonaws.com/bucket/key", "s3",
          "https://s3.eu-west-1.amazonaws.com/bucket/key" },
        { "mine:", "mine", "" },
        { "file", NULL, NULL },
        { "/var/lib/state", NULL, NULL },
        { ":/var/lib/state", NULL, NULL },
        { "", NULL, NULL },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *name = NULL, *args = NULL;
        const char *err = maintenance_spec_split(rows[i].spec, &name, &args,
                                                 *state);

        if (!rows[i].name) {
            EXPECT(err && *err, "\"%s\": split into %s and %s", rows[i].spec,
                   unit_str(name), unit_str(args));
            continue;
        }
        EXPECT(!err, "\"%s\": %s", rows[i].spec, unit_str(err));
        EXPECT(err || (!strcmp(name, rows[i].name)
                       && !strcmp(args, rows[i].args)),
               "\"%s\": split into \"%s\" and \"%s\"", rows[i].spec,
               unit_str(name), unit_str(args));
    }
    EXPECT_ALL();
}

static void test_builtin_find(void **state)
{
    const maintenance_builtin *b;

    (void)state;
    assert_ptr_equal(maintenance_builtin_find("file"),
                     &maintenance_file_provider);
    assert_null(maintenance_builtin_find("nonesuch"));
    assert_null(maintenance_builtin_find(""));
    assert_null(maintenance_builtin_find("file:"));
    for (b = maintenance_builtins; b->name; b++) {
        assert_non_null(b->provider);
        assert_ptr_equal(maintenance_builtin_find(b->name), b->provider);
    }
}

static void test_create_rejects(void **state)
{
    static const char *const rows[] = {
        "state", "./state", "var/lib/state", "~/state",
        "/", "/var/lib/apache2/maintenance/",
    };
    fixture *fx = *state;
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        void *inst = NULL;
        const char *err = maintenance_file_provider.create(&inst, rows[i],
                                                           no_options(fx->p),
                                                           &fx->params, fx->p);

        EXPECT(err && *err, "\"%s\": accepted", rows[i]);
    }
    EXPECT_ALL();
}

/* No ARGS: the build-time default path. */
static void test_create_default(void **state)
{
    fixture *fx = *state;

    assert_true(MAINTENANCE_STATE_FILE[0] == '/');
    assert_non_null(instance(fx, ""));
}

static void test_get_missing(void **state)
{
    fixture *fx = *state;

    assert_int_equal(get_status(fx, instance(fx, in_dir(fx, "state"))),
                     APR_NOTFOUND);
    assert_int_equal(get_status(fx, instance(fx, in_dir(fx, "no/such/state"))),
                     APR_NOTFOUND);
}

static void test_set_then_get(void **state)
{
    static const char text[] =
        "on\nstart=2026-11-22T10:00:00Z\nby=alice\nmessage=Upgrading\n";
    fixture *fx = *state;
    void *inst = instance(fx, in_dir(fx, "state"));

    assert_int_equal(set(fx, inst, text), APR_SUCCESS);
    assert_get(fx, inst, text);
    /* Another instance on the same path (another process) sees it too. */
    assert_get(fx, instance(fx, in_dir(fx, "state")), text);
}

static void test_get_empty_file(void **state)
{
    fixture *fx = *state;

    write_file(in_dir(fx, "state"), "", 0, fx->p);
    assert_get(fx, instance(fx, in_dir(fx, "state")), "");
}

static void test_get_size_limit(void **state)
{
    static const apr_size_t over[] = { MAINTENANCE_STATE_MAX + 1,
                                       MAINTENANCE_STATE_MAX * 3 };
    fixture *fx = *state;
    const char *path = in_dir(fx, "state");
    void *inst = instance(fx, path);
    char *big = apr_palloc(fx->p, MAINTENANCE_STATE_MAX * 3 + 1);
    size_t i;

    memset(big, 'x', MAINTENANCE_STATE_MAX * 3);
    big[MAINTENANCE_STATE_MAX * 3] = '\0';

    write_file(path, big, MAINTENANCE_STATE_MAX, fx->p);
    assert_get(fx, inst, big + 2 * MAINTENANCE_STATE_MAX);

    for (i = 0; i < ARRAY_LEN(over); i++) {
        write_file(path, big, over[i], fx->p);
        assert_int_equal(get_status(fx, inst), APR_ENOSPC);
        assert_true(fx->err && *fx->err);
    }
}

/* The names in dir, but "." and "..", joined by spaces in order read. */
static const char *list_dir(const char *path, apr_pool_t *p)
{
    apr_dir_t *dir;
    apr_finfo_t fi;
    const char *names = "";

    assert_int_equal(apr_dir_open(&dir, path, p), APR_SUCCESS);
    while (apr_dir_read(&fi, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        if (strcmp(fi.name, ".") && strcmp(fi.name, "..")) {
            names = apr_pstrcat(p, names, *names ? " " : "", fi.name, NULL);
        }
    }
    apr_dir_close(dir);
    return names;
}

/* set() puts a whole new file in the old one's place: whoever still reads
 * the old one reads it whole, nothing is left behind, and everyone may
 * read the new one. */
static void test_set_replaces_atomically(void **state)
{
    static const char first[] = "on\nmessage=the first state, a long one\n";
    static const char second[] = "off\n";
    fixture *fx = *state;
    const char *path = in_dir(fx, "state");
    void *inst = instance(fx, path);
    apr_file_t *reader;
    char buf[sizeof(first)];
    apr_size_t n = 0;
    apr_finfo_t fi;

    assert_int_equal(set(fx, inst, first), APR_SUCCESS);
    assert_int_equal(apr_file_open(&reader, path, APR_FOPEN_READ,
                                   APR_FPROT_OS_DEFAULT, fx->p), APR_SUCCESS);

    assert_int_equal(set(fx, inst, second), APR_SUCCESS);
    assert_get(fx, inst, second);

    /* The reader opened before the set still has all of the old text. */
    apr_file_read_full(reader, buf, sizeof(buf), &n);
    apr_file_close(reader);
    assert_int_equal(n, strlen(first));
    assert_memory_equal(buf, first, n);

    assert_string_equal(list_dir(fx->dir, fx->p), "state");
    assert_int_equal(apr_stat(&fi, path, APR_FINFO_PROT | APR_FINFO_TYPE,
                              fx->p), APR_SUCCESS);
    assert_int_equal(fi.filetype, APR_REG);
    assert_int_equal(fi.protection & (APR_FPROT_UREAD | APR_FPROT_GREAD
                                      | APR_FPROT_WREAD),
                     APR_FPROT_UREAD | APR_FPROT_GREAD | APR_FPROT_WREAD);
    assert_int_equal(fi.protection & (APR_FPROT_GWRITE | APR_FPROT_WWRITE),
                     0);
}

/* Without prepare(), a missing directory is an error, with a text, and
 * leaves nothing behind. */
static void test_set_into_missing_dir(void **state)
{
    fixture *fx = *state;
    void *inst = instance(fx, in_dir(fx, "missing/state"));

    assert_int_not_equal(set(fx, inst, "on\n"), APR_SUCCESS);
    assert_true(fx->err && *fx->err);
    assert_string_equal(list_dir(fx->dir, fx->p), "");
}

static void test_prepare_creates_dirs(void **state)
{
    fixture *fx = *state;
    const char *path = in_dir(fx, "a/b/c/state");
    void *inst = instance(fx, path);
    apr_finfo_t fi;
    int i;

    /* Twice: the second time everything is there already. */
    for (i = 0; i < 2; i++) {
        fx->err = NULL;
        if (maintenance_file_provider.prepare(inst, fx->p, &fx->err) != APR_SUCCESS) {
            fail_msg("prepare #%d: %s", i + 1, fx->err);
        }
        assert_int_equal(apr_stat(&fi, in_dir(fx, "a/b/c"), APR_FINFO_TYPE,
                                  fx->p), APR_SUCCESS);
        assert_int_equal(fi.filetype, APR_DIR);
    }
    /* It makes the directory, not the state: that is still off. */
    assert_string_equal(list_dir(in_dir(fx, "a/b/c"), fx->p), "");
    assert_int_equal(get_status(fx, inst), APR_NOTFOUND);

    assert_int_equal(set(fx, inst, "on\n"), APR_SUCCESS);
    assert_get(fx, inst, "on\n");
}

/* A link in a directory only this user can write is this user's own
 * doing: followed. */
static void test_trusted_link_followed(void **state)
{
    fixture *fx = *state;
    void *inst;

    assert_int_equal(mkdir(in_dir(fx, "real"), 0755), 0);
    assert_int_equal(symlink("real", in_dir(fx, "link")), 0);
    inst = instance(fx, in_dir(fx, "link/state"));
    assert_int_equal(set(fx, inst, "on\n"), APR_SUCCESS);
    assert_get(fx, inst, "on\n");
    assert_string_equal(list_dir(in_dir(fx, "real"), fx->p), "state");
}

/* Where others may write, a link could be anyone's: never followed, by
 * a reader nor by a writer. */
static void test_untrusted_link_refused(void **state)
{
    fixture *fx = *state;
    void *inst;
    apr_status_t rv;

    assert_int_equal(mkdir(in_dir(fx, "real"), 0755), 0);
    assert_int_equal(symlink("real", in_dir(fx, "link")), 0);
    inst = instance(fx, in_dir(fx, "link/state"));
    assert_int_equal(chmod(fx->dir, 0777), 0);
    rv = get_status(fx, inst);
    assert_int_not_equal(rv, APR_SUCCESS);
    assert_int_not_equal(rv, APR_NOTFOUND);
    assert_non_null(strstr(fx->err, "symbolic link"));
    assert_int_not_equal(set(fx, inst, "on\n"), APR_SUCCESS);
    assert_int_not_equal(maintenance_file_provider.prepare(inst, fx->p,
                         &fx->err), APR_SUCCESS);
    assert_int_equal(chmod(fx->dir, 0700), 0);
    assert_string_equal(list_dir(in_dir(fx, "real"), fx->p), "");
}

/* The state itself is never read through a link; a write replaces the
 * link, never its target. */
static void test_state_link_refused(void **state)
{
    fixture *fx = *state;
    const char *path = in_dir(fx, "state");
    void *inst = instance(fx, path);

    write_file(in_dir(fx, "target"), "on\n", 3, fx->p);
    assert_int_equal(symlink("target", path), 0);
    assert_int_not_equal(get_status(fx, inst), APR_SUCCESS);
    assert_non_null(strstr(fx->err, "symbolic link"));
    assert_int_equal(set(fx, inst, "off\n"), APR_SUCCESS);
    assert_get(fx, inst, "off\n");
    assert_get(fx, instance(fx, in_dir(fx, "target")), "on\n");
}

/* A FIFO would block an open(): refused at once. */
static void test_fifo_refused(void **state)
{
    fixture *fx = *state;
    const char *path = in_dir(fx, "state");
    void *inst = instance(fx, path);

    assert_int_equal(mkfifo(path, 0644), 0);
    assert_int_not_equal(get_status(fx, inst), APR_SUCCESS);
    assert_non_null(strstr(fx->err, "not a regular file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_spec_split),
        UNIT_TEST(test_builtin_find),
        FILE_TEST(test_create_rejects),
        FILE_TEST(test_create_default),
        FILE_TEST(test_get_missing),
        FILE_TEST(test_set_then_get),
        FILE_TEST(test_get_empty_file),
        FILE_TEST(test_get_size_limit),
        FILE_TEST(test_set_replaces_atomically),
        FILE_TEST(test_set_into_missing_dir),
        FILE_TEST(test_prepare_creates_dirs),
        FILE_TEST(test_trusted_link_followed),
        FILE_TEST(test_untrusted_link_refused),
        FILE_TEST(test_state_link_refused),
        FILE_TEST(test_fifo_refused),
    };

    return UNIT_RUN("file provider", tests);
}
