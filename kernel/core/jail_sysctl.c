/*
 * jail_sysctl.c -- the protocol of every security.models.jail.* node.
 *
 * Shape of every handler: check the caller and the request, take the table
 * lock only around table calls, and do everything that may sleep or fault
 * (allocation, copyin/copyout, process walks, credential changes) with the
 * lock released.  State changes that must survive those unlocked steps go
 * through the table's intermediate states (CREATING, DESTROYING) or holds,
 * so no other thread ever sees a half-made change.
 */
#include "jail_kernlib.h"
#include "jail_sysctl.h"

/* Bounded retries when the table grows between sizing and copying. */
#define JAIL_LIST_RETRIES	8

static int
jail_reply_room(const struct jail_sysctl_req *req, size_t len)
{

	return req->sr_oldp != NULL && req->sr_oldlenp != NULL &&
	    *req->sr_oldlenp >= len;
}

/* Copy a fixed-size reply out, or answer a size query. */
static int
jail_reply(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_sysctl_req *req, const void *data, size_t len)
{
	int error;

	if (req->sr_oldlenp == NULL)
		return req->sr_oldp == NULL ? 0 : EINVAL;
	if (req->sr_oldp == NULL) {
		*req->sr_oldlenp = len;
		return 0;
	}
	if (*req->sr_oldlenp < len) {
		*req->sr_oldlenp = len;
		return ENOMEM;
	}
	if ((error = env->se_copyout(ctx, data, req->sr_oldp, len)) != 0)
		return error;
	*req->sr_oldlenp = len;
	return 0;
}

static int
jail_read_id(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_sysctl_req *req, jail_id_t *idp)
{

	if (req->sr_newp == NULL || req->sr_newlen != sizeof(*idp))
		return EINVAL;
	return env->se_copyin(ctx, req->sr_newp, idp, sizeof(*idp));
}

int
jail_sysctl_create(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req)
{
	struct jail_create raw, spec;
	struct jail_entry *e;
	jail_id_t id;
	uint64_t now;
	int error;

	if (req->sr_newp == NULL)
		return EINVAL;
	if (!who->host_root)
		return EPERM;
	/* Room for the answer first: a create must never leave a jail the
	 * caller cannot learn the ID of. */
	if (!jail_reply_room(req, sizeof(spec)))
		return ENOMEM;
	if (req->sr_newlen != sizeof(raw))
		return EINVAL;
	if ((error = env->se_copyin(ctx, req->sr_newp, &raw, sizeof(raw))) != 0)
		return error;
	if ((error = jail_create_validate(&raw, sizeof(raw), &spec)) != 0)
		return error;

	if ((e = env->se_entry_alloc(ctx)) == NULL)
		return ENOMEM;
	if (env->se_entry_prepare != NULL &&
	    (error = env->se_entry_prepare(ctx, e, &spec)) != 0) {
		env->se_entry_free(ctx, e);
		return error;
	}

	now = env->se_now_ns(ctx);
	env->se_lock(ctx);
	error = jail_table_create_begin(env->se_table, e, &spec, now, &id);
	env->se_unlock(ctx);
	if (error != 0) {
		env->se_entry_free(ctx, e);
		return error;
	}

	/* CREATING: invisible to lookups, but its name and ports are taken. */
	spec.jc_id = id;
	error = env->se_copyout(ctx, &spec, req->sr_oldp, sizeof(spec));

	env->se_lock(ctx);
	if (error != 0)
		jail_table_create_abort(env->se_table, e);
	else
		jail_table_create_commit(env->se_table, e);
	env->se_unlock(ctx);

	if (error != 0) {
		env->se_entry_free(ctx, e);
		return error;
	}
	*req->sr_oldlenp = sizeof(spec);
	if (env->se_created != NULL)
		env->se_created(ctx, &spec);
	return 0;
}

int
jail_sysctl_destroy(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req)
{
	struct jail_entry *e;
	char name[JAIL_NAME_MAX + 1];
	uint64_t live = 0, zombie = 0;
	jail_id_t id;
	int error;

	if (!who->host_root)
		return EPERM;
	if ((error = jail_read_id(env, ctx, req, &id)) != 0)
		return error;
	if (id == JAIL_ID_HOST)
		return EINVAL;

	env->se_lock(ctx);
	error = jail_table_destroy_begin(env->se_table, id, &e);
	env->se_unlock(ctx);
	if (error != 0)
		return error;

	/*
	 * DESTROYING: no process can enter any more, so a member count of
	 * zero stays zero (a new member could only come from a fork of an
	 * existing one, which the walk would have seen).
	 */
	error = env->se_members(ctx, id, 0, &live, &zombie);
	if (error == 0 && live + zombie > 0)
		error = EBUSY;

	env->se_lock(ctx);
	if (error != 0)
		jail_table_destroy_abort(env->se_table, e);
	else
		jail_table_destroy_commit(env->se_table, e);
	env->se_unlock(ctx);
	if (error != 0)
		return error;

	memcpy(name, e->je_spec.jc_name, sizeof(name));
	env->se_entry_free(ctx, e);
	if (env->se_destroyed != NULL)
		env->se_destroyed(ctx, id, name);
	return 0;
}

int
jail_sysctl_list(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req)
{
	struct jail_info *buf;
	size_t count, got, len;
	uint64_t gen;
	int attempt, error;

	if (who->jail != JAIL_ID_HOST || req->sr_newp != NULL)
		return EPERM;
	if (req->sr_oldlenp == NULL)
		return EINVAL;

	env->se_lock(ctx);
	(void)jail_table_snapshot(env->se_table, NULL, 0, &count, &gen);
	env->se_unlock(ctx);

	for (attempt = 0; attempt < JAIL_LIST_RETRIES; attempt++) {
		if (count > (size_t)-1 / sizeof(*buf))
			return EOVERFLOW;
		len = count * sizeof(*buf);
		if (req->sr_oldp == NULL) {
			*req->sr_oldlenp = len;
			return 0;
		}
		if (*req->sr_oldlenp < len) {
			*req->sr_oldlenp = len;
			return ENOMEM;
		}
		if (count == 0) {
			*req->sr_oldlenp = 0;
			return 0;
		}
		if ((buf = env->se_buf_alloc(ctx, len)) == NULL)
			return ENOMEM;

		/* The copy is atomic; if the table grew while we allocated
		 * (a newer generation with more jails), size again. */
		env->se_lock(ctx);
		error = jail_table_snapshot(env->se_table, buf, count, &got,
		    &gen);
		env->se_unlock(ctx);
		if (error == ENOMEM) {
			env->se_buf_free(ctx, buf, len);
			count = got;
			continue;
		}
		error = env->se_copyout(ctx, buf, req->sr_oldp,
		    got * sizeof(*buf));
		env->se_buf_free(ctx, buf, len);
		if (error == 0)
			*req->sr_oldlenp = got * sizeof(*buf);
		return error;
	}
	return EAGAIN;
}

int
jail_sysctl_stats(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req)
{
	struct jail_stats st;

	if (who->jail != JAIL_ID_HOST || req->sr_newp != NULL)
		return EPERM;
	env->se_lock(ctx);
	jail_table_stats(env->se_table, &st);
	if (env->se_ratelimit != NULL)
		st.js_log_suppressed = env->se_ratelimit->rl_suppressed;
	env->se_unlock(ctx);
	return jail_reply(env, ctx, req, &st, sizeof(st));
}

static int
jail_enter(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, jail_id_t target)
{
	struct jail_entry *e;
	int error;

	/* Host root is in jail 0, so this also stops leaving and hopping. */
	if (!who->host_root)
		return EPERM;
	if (target == who->jail)
		return 0;

	env->se_lock(ctx);
	if ((e = jail_table_find_id(env->se_table, target)) != NULL)
		jail_entry_hold(e);
	env->se_unlock(ctx);
	if (e == NULL)
		return ENOENT;

	/* Held: the jail cannot be destroyed until the credential is in. */
	if (!env->se_chrooted_at(ctx, e))
		error = EPERM;
	else
		error = env->se_enter(ctx, target);

	env->se_lock(ctx);
	jail_entry_rele(e);
	env->se_unlock(ctx);
	return error;
}

int
jail_sysctl_id(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req)
{
	jail_id_t own = who->jail, target;
	int error;

	if (req->sr_oldp != NULL || req->sr_oldlenp != NULL) {
		error = jail_reply(env, ctx, req, &own, sizeof(own));
		if (error != 0)
			return error;
	}
	if (req->sr_newp == NULL)
		return 0;
	if (!who->host_root)
		return EPERM;
	if ((error = jail_read_id(env, ctx, req, &target)) != 0)
		return error;
	return jail_enter(env, ctx, who, target);
}

int
jail_sysctl_kill(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req)
{
	struct jail_kill k;
	struct jail_entry *e;
	int error;

	if (!who->host_root)
		return EPERM;
	if (req->sr_newp == NULL || req->sr_newlen != sizeof(k))
		return EINVAL;
	if (req->sr_oldp != NULL && !jail_reply_room(req, sizeof(k)))
		return ENOMEM;
	if ((error = env->se_copyin(ctx, req->sr_newp, &k, sizeof(k))) != 0)
		return error;
	if (k.jk_id == JAIL_ID_HOST || k.jk_signal < 0)
		return EINVAL;

	env->se_lock(ctx);
	if ((e = jail_table_find_id(env->se_table, k.jk_id)) != NULL)
		jail_entry_hold(e);
	env->se_unlock(ctx);
	if (e == NULL)
		return ENOENT;

	k.jk_live = k.jk_zombie = 0;
	error = env->se_members(ctx, k.jk_id, k.jk_signal, &k.jk_live,
	    &k.jk_zombie);

	env->se_lock(ctx);
	jail_entry_rele(e);
	env->se_unlock(ctx);
	if (error != 0 || req->sr_oldp == NULL)
		return error;
	return jail_reply(env, ctx, req, &k, sizeof(k));
}
