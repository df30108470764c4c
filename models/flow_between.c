/*
 * flow_between.c - which VMs a flow group connects: VM names and ranges
 * against the topology, the five forms of `between:`, and the pairs they
 * make.  A VM paired with itself, a VM twice in one set (its ranges
 * overlap) and sets of different lengths where they are zipped are refused:
 * each would be a mistake, not a flow.
 */
#include "models/flow_between.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/yaml_read.h"

const char *const scn_flow_between_names[FLOW_BETWEEN_COUNT + 1] = {
	"one_pair", "pairs", "incast", "all_to_all", "list", NULL,
};
static const char *const between_keys[] = {"from", "to", "pairs", "incast", "all_to_all", "list", NULL};
static const char *const incast_keys[] = {"from", "to", NULL};

typedef struct reader {
	const scn_host *hosts;
	size_t host_count;
	const scn_flows *f;
	vr_diag *diag;
	unsigned char *seen;          /* [vm_count]: VMs already in the set being read */
} reader;

/* VMs as read, each with the node that named it (for errors). */
typedef struct vm_list {
	size_t count, capacity;
	scn_vm_ref *vms;
	const yt_node **at;
} vm_list;

static void vm_list_free(vm_list *l)
{
	free(l->vms);
	free(l->at);
	*l = (vm_list){0};
}

static int vm_list_push(reader *r, vm_list *l, scn_vm_ref vm, const yt_node *at)
{
	if (l->count == l->capacity) {
		size_t capacity = l->capacity ? 2 * l->capacity : 16;
		scn_vm_ref *vms = realloc(l->vms, capacity * sizeof *vms);
		if (vms)
			l->vms = vms;
		const yt_node **ats = vms ? realloc(l->at, capacity * sizeof *ats) : NULL;
		if (!ats)
			return vr_diag_at(r->diag, at->where, "out of memory");
		l->at = ats;
		l->capacity = capacity;
	}
	l->vms[l->count] = vm;
	l->at[l->count++] = at;
	return 0;
}

static int same_vm(scn_vm_ref a, scn_vm_ref b)
{
	return a.host == b.host && a.vm == b.vm;
}

/* Digits only (no sign, no spaces): a VM index. */
static int scan_index(const char **p, unsigned *out)
{
	unsigned long value = 0;
	const char *start = *p;
	while (isdigit((unsigned char)**p) && *p - start < 6)
		value = value * 10 + (unsigned long)(*(*p)++ - '0');
	if (*p == start || isdigit((unsigned char)**p))
		return -1;
	*out = (unsigned)value;
	return 0;
}

static int find_host(reader *r, const yt_node *node, const char *text, size_t length, unsigned *host)
{
	const char *names[SCN_HOSTS_MAX + 1];
	for (size_t h = 0; h < r->host_count; h++) {
		names[h] = r->hosts[h].name;
		if (strlen(names[h]) == length && strncmp(names[h], text, length) == 0) {
			*host = (unsigned)h;
			return 0;
		}
	}
	names[r->host_count] = NULL;
	char written[MDL_NAME_MAX], list[SCN_HOSTS_MAX * (MDL_NAME_MAX + 2)];
	snprintf(written, sizeof written, "%.*s", (int)(length < sizeof written ? length : sizeof written - 1), text);
	yr_join(names, list, sizeof list);
	const char *near = vr_nearest(written, names);
	return vr_diag_at(r->diag, node->where, "found the host '%s' in '%s', expected a host of the topology: %s%s%s%s",
			  written, node->text, list, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* "HOST/A", "HOST/A-B" (inclusive) or "HOST/" and a star (all its VMs): the host
 * and the first and last VM. */
static int read_range(reader *r, const yt_node *node, const char *what, unsigned *host, unsigned *first, unsigned *last)
{
	const char *text;
	if (yr_string(node, what, &text, r->diag) != 0)
		return -1;
	const char *slash = strrchr(text, '/');
	/* A host's name alone: its hypervisor (a group with `transport:`). */
	for (size_t h = 0; !slash && h < r->host_count; h++)
		if (strcmp(text, r->hosts[h].name) == 0) {
			*host = (unsigned)h;
			*first = *last = SCN_VM_HYPERVISOR;
			return 0;
		}
	if (!slash || slash == text)
		return vr_diag_at(r->diag, node->where, "found '%.60s' for %s, expected a VM as HOST/INDEX (such as %s/0) or a range HOST/A-B (such as %s/0-3)",
				  text, what, r->hosts[0].name, r->hosts[0].name);
	if (find_host(r, node, text, (size_t)(slash - text), host) != 0)
		return -1;
	const char *p = slash + 1;
	if (strcmp(p, "*") == 0) {   /* every VM of the host, however many a sweep gives it */
		*first = 0;
		*last = r->hosts[*host].vms - 1;
		return 0;
	}
	int bad = scan_index(&p, first) != 0;
	*last = *first;
	if (!bad && *p == '-') {
		p++;
		bad = scan_index(&p, last) != 0;
	}
	if (bad || *p != '\0')
		return vr_diag_at(r->diag, node->where, "found '%.60s' for %s, expected a VM index (HOST/INDEX), a range of them (HOST/A-B) or every VM (HOST/*) after the '/'",
				  text, what);
	const scn_host *h = &r->hosts[*host];
	unsigned worst = *first > *last ? *first : *last;
	if (worst >= h->vms)
		return vr_diag_at(r->diag, node->where, "found VM index %u in '%.60s', expected an index from 0 to %u (host '%s' has vms: %u)",
				  worst, text, h->vms - 1, h->name, h->vms);
	if (*last < *first)
		return vr_diag_at(r->diag, node->where, "found the range '%.60s', which goes down, expected HOST/A-B with A at most B",
				  text);
	return 0;
}

/* One VM, not a range. */
static int read_vm(reader *r, const yt_node *node, const char *what, scn_vm_ref *vm)
{
	unsigned host, first, last;
	if (read_range(r, node, what, &host, &first, &last) != 0)
		return -1;
	if (first != last)
		return vr_diag_at(r->diag, node->where, "found the range '%s' for %s, expected one VM (HOST/INDEX)", node->text, what);
	*vm = (scn_vm_ref){(uint16_t)host, (uint16_t)first};
	return 0;
}

static int add_range(reader *r, vm_list *out, const yt_node *node, const char *what)
{
	unsigned host, first, last;
	if (read_range(r, node, what, &host, &first, &last) != 0)
		return -1;
	for (unsigned i = first; i <= last; i++) {
		scn_vm_ref vm = {(uint16_t)host, (uint16_t)i};
		unsigned char *seen = &r->seen[scn_vm_index(r->f, vm)];
		if (*seen && scn_is_hypervisor(vm))
			return vr_diag_at(r->diag, node->where, "found the hypervisor of %s twice in %s, expected each endpoint once",
					  r->hosts[host].name, what);
		if (*seen)
			return vr_diag_at(r->diag, node->where, "found %s/%u twice in %s, expected each VM once (ranges that overlap)",
					  r->hosts[host].name, i, what);
		*seen = 1;
		if (vm_list_push(r, out, vm, node) != 0)
			return -1;
	}
	return 0;
}

/* A set of VMs: a VM, a range, or a list of them; each VM once. */
static int read_set(reader *r, const yt_node *node, const char *what, vm_list *out)
{
	memset(r->seen, 0, r->f->vm_count + r->host_count);
	if (node->type != YT_SEQ)
		return add_range(r, out, node, what);
	if (node->count == 0)
		return vr_diag_at(r->diag, node->where, "found an empty list for %s, expected VMs (HOST/INDEX) or ranges (HOST/A-B)", what);
	for (size_t i = 0; i < node->count; i++)
		if (add_range(r, out, node->items[i], what) != 0)
			return -1;
	return 0;
}

static int refuse_self(reader *r, const yt_node *at, scn_vm_ref vm, const char *what)
{
	if (scn_is_hypervisor(vm))
		return vr_diag_at(r->diag, at->where, "found the hypervisor of %s paired with itself in %s, expected two distinct hosts in each pair",
				  r->hosts[vm.host].name, what);
	return vr_diag_at(r->diag, at->where, "found %s/%u paired with itself in %s, expected two distinct VMs in each pair",
			  r->hosts[vm.host].name, vm.vm, what);
}

/* Keep the lists' VMs as the plan's sets; the nodes are only for errors. */
static void keep(vm_list *from, scn_vm_ref **to, size_t *count)
{
	*to = from->vms;
	*count = from->count;
	from->vms = NULL;
	vm_list_free(from);
}

static int read_one_pair(reader *r, const yt_node *node, flow_plan *plan)
{
	const yt_node *from, *to;
	scn_vm_ref a, b;
	if (yr_required(node, "from", "'between'", &from, r->diag) ||
	    yr_required(node, "to", "'between'", &to, r->diag) ||
	    read_vm(r, from, "the client VM ('from')", &a) || read_vm(r, to, "the server VM ('to')", &b))
		return -1;
	if (same_vm(a, b))
		return refuse_self(r, to, b, "'between'");
	plan->a = malloc(sizeof *plan->a);
	plan->b = malloc(sizeof *plan->b);
	if (!plan->a || !plan->b)
		return vr_diag_at(r->diag, node->where, "out of memory");
	plan->a[0] = a;
	plan->b[0] = b;
	plan->a_count = plan->b_count = 1;
	return 0;
}

/* Zipped sets: the i-th of A with the i-th of B. */
static int check_zip(reader *r, const yt_node *node, const vm_list *a, const vm_list *b, const char *what)
{
	if (a->count != b->count)
		return vr_diag_at(r->diag, node->where, "found %s of %zu and %zu VMs, expected two sets of the same length (the i-th VM of the first with the i-th of the second)",
				  what, a->count, b->count);
	for (size_t i = 0; i < a->count; i++)
		if (same_vm(a->vms[i], b->vms[i]))
			return refuse_self(r, b->at[i], b->vms[i], what);
	return 0;
}

static int read_pairs(reader *r, const yt_node *node, flow_plan *plan)
{
	if (node->type != YT_SEQ || node->count != 2)
		return vr_diag_at(r->diag, node->where, "found %s for 'pairs', expected a list of two sets ([esx-a/0-7, esx-b/0-7]: the i-th VM of the first with the i-th of the second)",
				  node->type == YT_SEQ ? "a list of other than two items" : yt_type_name(node->type));
	vm_list a = {0}, b = {0};
	int rc = read_set(r, node->items[0], "the clients of 'pairs'", &a) ||
		 read_set(r, node->items[1], "the servers of 'pairs'", &b) ||
		 check_zip(r, node, &a, &b, "'pairs'");
	keep(&a, &plan->a, &plan->a_count);
	keep(&b, &plan->b, &plan->b_count);
	return rc ? -1 : 0;
}

static int read_incast(reader *r, const yt_node *node, flow_plan *plan)
{
	const yt_node *from, *to;
	scn_vm_ref server;
	if (yr_expect(node, YT_MAP, "'incast' ({from: VMs, to: VM})", r->diag) ||
	    yr_known_keys(node, incast_keys, "'incast'", r->diag) ||
	    yr_required(node, "from", "'incast'", &from, r->diag) ||
	    yr_required(node, "to", "'incast'", &to, r->diag) ||
	    read_vm(r, to, "the server of 'incast'", &server))
		return -1;
	vm_list a = {0};
	int rc = read_set(r, from, "the clients of 'incast'", &a);
	for (size_t i = 0; rc == 0 && i < a.count; i++)
		if (same_vm(a.vms[i], server))
			rc = vr_diag_at(r->diag, a.at[i]->where, "found %s/%u both among the clients and as the server of 'incast', expected the server apart from its clients",
					r->hosts[server.host].name, server.vm);
	keep(&a, &plan->a, &plan->a_count);
	plan->b = malloc(sizeof *plan->b);
	if (!plan->b)
		return vr_diag_at(r->diag, node->where, "out of memory");
	plan->b[0] = server;
	plan->b_count = 1;
	return rc;
}

static int read_all_to_all(reader *r, const yt_node *node, flow_plan *plan)
{
	vm_list a = {0};
	int rc = read_set(r, node, "'all_to_all'", &a);
	if (rc == 0 && a.count < 2)
		rc = vr_diag_at(r->diag, node->where, "found one VM in 'all_to_all', expected at least 2 (every ordered pair of distinct VMs)");
	keep(&a, &plan->a, &plan->a_count);
	return rc;
}

static int read_list(reader *r, const yt_node *node, flow_plan *plan)
{
	if (node->type != YT_SEQ || node->count == 0)
		return vr_diag_at(r->diag, node->where, "found %s for 'list', expected a list of pairs ([[esx-a/0, esx-b/0], ...])",
				  node->type == YT_SEQ ? "an empty list" : yt_type_name(node->type));
	plan->a = malloc(node->count * sizeof *plan->a);
	plan->b = malloc(node->count * sizeof *plan->b);
	if (!plan->a || !plan->b)
		return vr_diag_at(r->diag, node->where, "out of memory");
	for (size_t i = 0; i < node->count; i++) {
		const yt_node *pair = node->items[i];
		if (pair->type != YT_SEQ || pair->count != 2)
			return vr_diag_at(r->diag, pair->where, "found %s in 'list', expected a pair [CLIENT, SERVER] such as [esx-a/0, esx-b/0]",
					  pair->type == YT_SEQ ? "a list of other than two VMs" : yt_type_name(pair->type));
		if (read_vm(r, pair->items[0], "the client of a pair", &plan->a[i]) ||
		    read_vm(r, pair->items[1], "the server of a pair", &plan->b[i]))
			return -1;
		if (same_vm(plan->a[i], plan->b[i]))
			return refuse_self(r, pair->items[1], plan->b[i], "'list'");
		plan->a_count = plan->b_count = i + 1;
	}
	return 0;
}

/* Which form NODE uses: exactly one of them ({from, to} counts as one). */
static int pick_form(reader *r, const yt_node *node, scn_flow_between *form)
{
	static const char *const forms[] = {"from", "pairs", "incast", "all_to_all", "list"};
	const yt_node *first = NULL;
	for (size_t i = 0; i < node->count; i++) {
		const char *key = node->keys[i]->text;
		scn_flow_between f = FLOW_ONE_PAIR;
		for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++)
			if (strcmp(key, forms[k]) == 0)
				f = (scn_flow_between)k;
		if (first && !(f == FLOW_ONE_PAIR && *form == FLOW_ONE_PAIR))
			return vr_diag_at(r->diag, node->keys[i]->where, "found '%s' beside '%s' in 'between', expected one way of pairing VMs",
					  key, first->text);
		if (!first)
			first = node->keys[i];
		*form = f;
	}
	if (!first)
		return vr_diag_at(r->diag, node->where, "found an empty 'between', expected {from: VM, to: VM}, pairs, incast, all_to_all or list");
	return 0;
}

int flow_between_read(const yt_node *node, const scn_host *hosts, size_t host_count, const scn_flows *f,
		      flow_plan *plan, vr_diag *diag)
{
	reader r = {.hosts = hosts, .host_count = host_count, .f = f, .diag = diag};
	*plan = (flow_plan){0};
	if (yr_expect(node, YT_MAP, "'between' (such as {from: esx-a/0, to: esx-b/0})", diag) || yr_known_keys(node, between_keys, "'between'", diag) ||
	    pick_form(&r, node, &plan->form))
		return -1;
	r.seen = calloc(f->vm_count + host_count, 1);   /* a hypervisor's is at vm_count + its host */
	if (!r.seen)
		return vr_diag_at(diag, node->where, "out of memory");
	const yt_node *v = node->items[0];
	int rc;
	switch (plan->form) {
	case FLOW_ONE_PAIR: rc = read_one_pair(&r, node, plan); break;
	case FLOW_PAIRS: rc = read_pairs(&r, v, plan); break;
	case FLOW_INCAST: rc = read_incast(&r, v, plan); break;
	case FLOW_ALL_TO_ALL: rc = read_all_to_all(&r, v, plan); break;
	default: rc = read_list(&r, v, plan); break;
	}
	free(r.seen);
	return rc;
}

int flow_between_vm(const yt_node *node, const scn_host *hosts, size_t host_count, const scn_flows *f,
		    const char *what, scn_vm_ref *vm, vr_diag *diag)
{
	reader r = {.hosts = hosts, .host_count = host_count, .f = f, .diag = diag};
	if (read_vm(&r, node, what, vm) != 0)
		return -1;
	if (scn_is_hypervisor(*vm))
		return vr_diag_at(diag, node->where, "found the host '%s' for %s, expected a VM of it (HOST/INDEX, such as %s/0)",
				  node->text, what, node->text);
	return 0;
}

unsigned long long flow_plan_pairs(const flow_plan *plan)
{
	unsigned long long n = plan->a_count;
	return plan->form == FLOW_ALL_TO_ALL ? n * (n - 1) : n;
}

void flow_plan_pair(const flow_plan *plan, size_t k, scn_vm_ref *client, scn_vm_ref *server)
{
	switch (plan->form) {
	case FLOW_ALL_TO_ALL: {
		size_t others = plan->a_count - 1, i = k / others, j = k % others;
		*client = plan->a[i];
		*server = plan->a[j < i ? j : j + 1];
		return;
	}
	case FLOW_INCAST:
		*client = plan->a[k];
		*server = plan->b[0];
		return;
	default:
		*client = plan->a[k];
		*server = plan->b[k];
		return;
	}
}

void flow_plan_free(flow_plan *plan)
{
	free(plan->a);
	free(plan->b);
	*plan = (flow_plan){0};
}
