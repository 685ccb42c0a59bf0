/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding the profile a task runs under, as DC/OS and Marathon name it. */
#include "profile.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define MAX_APP_JSON_BYTES (1u << 20)

static int name_error(struct sigsys_error *err, const char *name, const char *why)
{
	if (err)
		format_into(err->message, sizeof(err->message),
			    "profile name \"%s\" %s (a profile name is a file name in the "
			    "profile directory)",
			    name, why);
	return -EPERM;
}

/* The name may not leave the directory: checked by name, then by the kernel
 * (RESOLVE_BENEATH refuses "..", absolute symlinks and symlinks pointing out). */
static int check_name(const char *name, struct sigsys_error *err)
{
	if (!*name)
		return name_error(err, name, "is empty");
	if (strlen(name) > 255)
		return name_error(err, name, "is longer than 255 bytes");
	if (strchr(name, '/'))
		return name_error(err, name, "contains \"/\"");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return name_error(err, name, "is not a file name");
	return 0;
}

static int open_beneath(int dfd, const char *name)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
	long fd = syscall(SYS_openat2, dfd, name, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

int sigsys_profile_load_named(const char *dir, const char *name, struct sigsys_profile **ret,
			      struct sigsys_error *err)
{
	_cleanup_free_ char *source = NULL, *text = NULL;
	size_t len;
	if (!name)
		name = "default.json";
	int r = check_name(name, err);
	if (r < 0)
		return r;
	if (asprintf(&source, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		if (err)
			format_into(err->message, sizeof(err->message),
				    "profile directory \"%s\": %s", dir, strerror(-r));
		return r;
	}
	/* Read through the fd that was checked: no window for a swapped symlink. */
	_cleanup_close_ int fd = open_beneath(dfd, name);
	if (fd == -EXDEV || fd == -ELOOP)
		return name_error(err, name, "leads out of the profile directory");
	if (fd < 0) {
		if (err)
			format_into(err->message, sizeof(err->message), "profile \"%s\": %s",
				    source, strerror(-fd));
		return fd;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return name_error(err, name, "is not a regular file");
	if ((r = read_fd_bounded(fd, SIGSYS_MAX_PROFILE_BYTES, &text, &len)) < 0) {
		if (err)
			format_into(err->message, sizeof(err->message), "%s: %s", source,
				    r == -E2BIG ? "larger than the 4 MiB profile limit"
						: strerror(-r));
		return r;
	}
	return sigsys_profile_parse(text, len, source, ret, err);
}

static int app_error(struct sigsys_error *err, const char *path, const char *where,
		     const char *what)
{
	if (err)
		format_into(err->message, sizeof(err->message), "%s: %s: %s", path, where, what);
	return -EINVAL;
}

/* Marathon's rules for container.linuxInfo.seccomp {profileName, unconfined}. */
static int read_seccomp_object(const char *path, struct json_object *seccomp, char **ret_name,
			       bool *ret_unconfined, struct sigsys_error *err)
{
	const char *where = "container.linuxInfo.seccomp";
	struct json_object *name = NULL, *unconfined = NULL;
	if (!json_object_is_type(seccomp, json_type_object))
		return app_error(err, path, where, "expected an object");
	json_object_object_get_ex(seccomp, "profileName", &name);
	json_object_object_get_ex(seccomp, "unconfined", &unconfined);
	if (name && !json_object_is_type(name, json_type_string))
		return app_error(err, path, "container.linuxInfo.seccomp.profileName",
				 "expected a string");
	if (unconfined && !json_object_is_type(unconfined, json_type_boolean))
		return app_error(err, path, "container.linuxInfo.seccomp.unconfined",
				 "expected true or false");
	bool is_unconfined = unconfined && json_object_get_boolean(unconfined);
	if (is_unconfined && name)
		return app_error(err, path, where,
				 "\"unconfined\": true together with a \"profileName\" (Marathon "
				 "rejects this; set one)");
	if (!is_unconfined && !name)
		return app_error(err, path, where,
				 "neither \"unconfined\": true nor a \"profileName\" (Marathon "
				 "rejects this; set one)");
	*ret_unconfined = is_unconfined;
	*ret_name = NULL;
	if (name && !(*ret_name = strdup(json_object_get_string(name))))
		return -ENOMEM;
	return 0;
}

int sigsys_marathon_seccomp(const char *app_json_path, char **ret_profile_name,
			    bool *ret_unconfined, struct sigsys_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file_bounded(app_json_path, MAX_APP_JSON_BYTES, &text, &len);
	if (r < 0) {
		if (err)
			format_into(err->message, sizeof(err->message), "%s: %s", app_json_path,
				    strerror(-r));
		return r;
	}
	struct json_tokener *tok = json_tokener_new_ex(SIGSYS_MAX_JSON_DEPTH);
	if (!tok)
		return -ENOMEM;
	struct json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		json_object_put(root);
		return app_error(err, app_json_path, "(file)",
				 jerr == json_tokener_success ? "not a JSON object"
							      : json_tokener_error_desc(jerr));
	}
	struct json_object *container, *linux_info, *seccomp;
	*ret_profile_name = NULL;
	*ret_unconfined = false;
	r = 0;
	if (!json_object_is_type(root, json_type_object))
		r = app_error(err, app_json_path, "(top level)", "expected an app object");
	else if (json_object_object_get_ex(root, "container", &container) &&
		 json_object_object_get_ex(container, "linuxInfo", &linux_info) &&
		 json_object_object_get_ex(linux_info, "seccomp", &seccomp))
		r = read_seccomp_object(app_json_path, seccomp, ret_profile_name, ret_unconfined,
					err);
	json_object_put(root);
	return r;
}
