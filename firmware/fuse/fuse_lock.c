/*
 * POSIX record locks (GETLK, SETLK, SETLKW) and the SETLKW requests waiting
 * for one: srv->locks and srv->waiters belong to this file, and so do the
 * deferred replies fuse_server_pending_reply() hands out. The rules are in
 * fuse_server.h; a lock names a node slot, which stays valid because the
 * node's last handle drops every lock on it (fuse_handle_close).
 */
#include "fuse_int.h"

#include <errno.h>

static int lk_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 && s2 <= e1;
}

/* Overlapping or adjacent; ends never exceed FUSE_OFFSET_MAX, so +1 cannot wrap. */
static int lk_touch(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 + 1 && s2 <= e1 + 1;
}

/* The first lock of another owner on node that (type, start, end) conflicts
 * with, or -1. */
static int32_t lk_conflict(const struct fuse_server *s, int32_t node, uint64_t owner, uint32_t type,
			   uint64_t start, uint64_t end)
{
	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		const struct fuse_srv_lock *l = &s->locks[i];

		if (l->node == node && l->owner != owner && lk_overlap(l->start, l->end, start, end) &&
		    (type == FUSE_F_WRLCK || l->type == FUSE_F_WRLCK))
			return i;
	}
	return -1;
}

static void lk_add(struct fuse_server *s, int32_t node, uint64_t owner, uint32_t pid, uint32_t type,
		   uint64_t start, uint64_t end)
{
	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		struct fuse_srv_lock *l = &s->locks[i];

		if (l->node != FREE_LOCK)
			continue;
		l->node = node;
		l->owner = owner;
		l->pid = pid;
		l->type = type;
		l->start = start;
		l->end = end;
		return;
	}
}

/*
 * Sets owner's lock on [start, end] of node to type (FUSE_F_UNLCK: none),
 * as fcntl(F_SETLK) does once no other owner conflicts: the owner's own locks
 * of the same type that touch the range merge into it, those of another type
 * are cut back (split when they cover both sides). The first pass counts the
 * entries the result needs, so a full table answers -ENOLCK with nothing
 * changed. Unlocking a whole node never needs an entry.
 */
static int lk_set(struct fuse_server *s, int32_t node, uint64_t owner, uint32_t pid, uint32_t type,
		  uint64_t start, uint64_t end)
{
	uint32_t avail = 0, need = type != FUSE_F_UNLCK;
	uint64_t ns = start, ne = end;
	struct fuse_srv_lock right = { .node = FREE_LOCK };

	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		const struct fuse_srv_lock *l = &s->locks[i];

		if (l->node == FREE_LOCK) {
			avail++;
		} else if (l->node == node && l->owner == owner) {
			if (l->type == type && lk_touch(l->start, l->end, start, end))
				avail++;		/* merged into the new lock */
			else if (l->start < start && l->end > end)
				need++;			/* split in two */
			else if (l->start >= start && l->end <= end)
				avail++;		/* covered: goes */
		}
	}
	if (avail < need)
		return -W_ENOLCK;
	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		struct fuse_srv_lock *l = &s->locks[i];

		if (l->node != node || l->owner != owner)
			continue;
		if (l->type == type && lk_touch(l->start, l->end, start, end)) {
			ns = l->start < ns ? l->start : ns;
			ne = l->end > ne ? l->end : ne;
			l->node = FREE_LOCK;
		} else if (!lk_overlap(l->start, l->end, start, end)) {
			continue;
		} else if (l->start < start && l->end > end) {
			right = *l;
			right.start = end + 1;
			l->end = start - 1;
		} else if (l->start < start) {
			l->end = start - 1;
		} else if (l->end > end) {
			l->start = end + 1;
		} else {
			l->node = FREE_LOCK;
		}
	}
	if (right.node != FREE_LOCK)
		lk_add(s, right.node, right.owner, right.pid, right.type, right.start, right.end);
	if (type != FUSE_F_UNLCK)
		lk_add(s, node, owner, pid, type, ns, ne);
	return 0;
}

/*
 * Grants, in arrival order, every waiting SETLKW that no lock blocks any
 * more. A grant may convert its owner's locks (a write lock turned read), so
 * the scan repeats after one; each repeat has a waiter fewer.
 */
static void lk_wake(struct fuse_server *s)
{
	int again = 1;

	while (again) {
		again = 0;
		for (uint32_t i = 0; i < s->nr_waiters; i++) {
			struct fuse_srv_waiter *w = &s->waiters[i];
			int err;

			if (w->done || lk_conflict(s, w->node, w->owner, w->type, w->start, w->end) >= 0)
				continue;
			err = lk_set(s, w->node, w->owner, w->pid, w->type, w->start, w->end);
			w->done = 1;
			w->error = -err;
			again |= !err;
		}
	}
}

/* Whether owner's new waiter for (node, type, start, end) would close a cycle:
 * a lock blocking it belongs to an owner that waits, directly or through other
 * waiters, for a lock of owner. Each waiter is visited once. */
static int lk_deadlock(const struct fuse_server *s, int32_t node, uint64_t owner, uint32_t type,
		       uint64_t start, uint64_t end)
{
	uint8_t seen[FUSE_SRV_MAX_WAITERS];
	uint32_t stack[FUSE_SRV_MAX_WAITERS];
	uint32_t sp = 0;
	const struct fuse_srv_waiter *cur = NULL;

	memset(seen, 0, sizeof(seen));
	for (;;) {
		int32_t n = cur ? cur->node : node;
		uint64_t o = cur ? cur->owner : owner;
		uint32_t t = cur ? cur->type : type;
		uint64_t st = cur ? cur->start : start, en = cur ? cur->end : end;

		/* Every owner holding a lock that blocks the current request ... */
		for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
			const struct fuse_srv_lock *l = &s->locks[i];

			if (l->node != n || l->owner == o || !lk_overlap(l->start, l->end, st, en) ||
			    (t != FUSE_F_WRLCK && l->type != FUSE_F_WRLCK))
				continue;
			if (l->owner == owner)
				return 1;
			/* ... and what that owner itself waits for. */
			for (uint32_t j = 0; j < s->nr_waiters; j++)
				if (!seen[j] && !s->waiters[j].done && s->waiters[j].owner == l->owner) {
					seen[j] = 1;
					stack[sp++] = j;
				}
		}
		if (!sp)
			return 0;
		cur = &s->waiters[stack[--sp]];
	}
}

static void lk_answer(struct fuse_srv_waiter *w, int wire_err)
{
	w->done = 1;
	w->error = wire_err;
}

/* Drops owner's locks on node (every owner's when all_owners) and lets the
 * waiters see what that freed. */
void fuse_lk_drop(struct fuse_server *s, int32_t node, uint64_t owner, int all_owners)
{
	int dropped = 0;

	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		struct fuse_srv_lock *l = &s->locks[i];

		if (l->node == node && (all_owners || l->owner == owner)) {
			l->node = FREE_LOCK;
			dropped = 1;
		}
	}
	if (dropped)
		lk_wake(s);
}

/*
 * GETLK, SETLK and SETLKW (see fuse_server.h for the rules). The handle must
 * be a file handle of the request's node, so a lock always names a node that
 * has an open handle (fuse_handle_close drops them with the last one).
 */
long fuse_do_lk(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_lk_in *in = arg;
	uint32_t op = r->h->opcode;
	struct fuse_server *s = r->srv;
	struct fuse_srv_handle *h;
	struct fuse_srv_waiter *w;
	uint32_t type, acc;
	uint64_t start, end;
	int32_t c;
	int err;

	(void)ino;
	if (in->lk_flags & FUSE_LK_FLOCK)
		return fuse_reply_err(r, W_ENOSYS);
	h = fuse_handle_get(r, in->fh, 0);
	if (!h)
		return fuse_reply_err(r, W_EBADF);
	type = in->lk.type;
	start = in->lk.start;
	end = in->lk.end;
	if (type > FUSE_F_UNLCK || start > end || end > FUSE_OFFSET_MAX || (op == FUSE_GETLK && type == FUSE_F_UNLCK))
		return fuse_reply_err(r, W_EINVAL);
	if (op == FUSE_GETLK) {
		struct fuse_lk_out o;

		memset(&o, 0, sizeof(o));
		c = lk_conflict(s, h->node, in->owner, type, start, end);
		if (c < 0) {
			o.lk.type = FUSE_F_UNLCK;
			o.lk.start = start;
			o.lk.end = end;
		} else {
			o.lk.type = s->locks[c].type;
			o.lk.start = s->locks[c].start;
			o.lk.end = s->locks[c].end;
			o.lk.pid = s->locks[c].pid;
		}
		return fuse_reply_data(r, &o, sizeof(o));
	}
	acc = h->flags & FUSE_O_ACCMODE;
	if ((type == FUSE_F_RDLCK && acc == FUSE_O_WRONLY) || (type == FUSE_F_WRLCK && acc == FUSE_O_RDONLY))
		return fuse_reply_err(r, W_EBADF);
	if (type != FUSE_F_UNLCK && lk_conflict(s, h->node, in->owner, type, start, end) >= 0) {
		if (op == FUSE_SETLK)
			return fuse_reply_err(r, W_EAGAIN);
		if (lk_deadlock(s, h->node, in->owner, type, start, end))
			return fuse_reply_err(r, W_EDEADLK);
		if (s->nr_waiters == FUSE_SRV_MAX_WAITERS)
			return fuse_reply_err(r, W_ENOLCK);
		w = &s->waiters[s->nr_waiters++];
		memset(w, 0, sizeof(*w));
		w->unique = r->h->unique;
		w->fh = in->fh;
		w->owner = in->owner;
		w->start = start;
		w->end = end;
		w->node = h->node;
		w->pid = in->lk.pid;
		w->type = type;
		return FUSE_SRV_DEFERRED;
	}
	err = lk_set(s, h->node, in->owner, in->lk.pid, type, start, end);
	if (!err)
		lk_wake(s);		/* an unlock or a downgrade may free a waiter */
	return fuse_reply_err(r, -err);
}

/* The guest gave up on a request: a waiting SETLKW is answered EINTR. */
void fuse_lk_interrupt(struct fuse_server *s, uint64_t unique)
{
	for (uint32_t i = 0; i < s->nr_waiters; i++)
		if (!s->waiters[i].done && s->waiters[i].unique == unique) {
			lk_answer(&s->waiters[i], W_EINTR);
			return;
		}
}

/* The handle fh closed: its waiters can never get their lock. */
void fuse_lk_closed(struct fuse_server *s, uint64_t fh)
{
	for (uint32_t i = 0; i < s->nr_waiters; i++)
		if (!s->waiters[i].done && s->waiters[i].fh == fh)
			lk_answer(&s->waiters[i], W_EBADF);
}

void fuse_lk_init(struct fuse_server *s)
{
	for (uint32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++)
		s->locks[i].node = FREE_LOCK;
}

/* Reset/DESTROY: every waiter answered EINTR (still to be collected), every
 * lock gone. */
void fuse_lk_reset(struct fuse_server *s)
{
	for (uint32_t i = 0; i < s->nr_waiters; i++)
		if (!s->waiters[i].done)
			lk_answer(&s->waiters[i], W_EINTR);
	fuse_lk_init(s);
}

long fuse_server_pending_reply(struct fuse_server *srv, uint64_t *unique, void *out, size_t out_cap)
{
	for (uint32_t i = 0; i < srv->nr_waiters; i++) {
		struct fuse_srv_waiter *w = &srv->waiters[i];
		struct fuse_out_header o;

		if (!w->done)
			continue;
		if (out_cap < sizeof(o))
			return -EINVAL;
		o.len = sizeof(o);
		o.error = -w->error;
		o.unique = w->unique;
		memcpy(out, &o, sizeof(o));
		*unique = w->unique;
		if (w->error)
			srv->stats.errors++;
		srv->nr_waiters--;
		memmove(w, w + 1, (srv->nr_waiters - i) * sizeof(*w));
		return sizeof(o);
	}
	return 0;
}
