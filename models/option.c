/*
 * option.c - loading and validating option descriptions.
 */
#include "models/option.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "input/catalog.h"
#include "input/yaml_read.h"

const char *const mdl_path_names[PATH_COUNT + 1] = {
	"request", "completion", "off_path", "read_request", "read_response", NULL,
};
const char *const mdl_placement_names[PLACE_COUNT + 1] = {"different-hosts", "same-host", NULL};
const char *const mdl_link_names[LINK_COUNT + 1] = {"infiniband", "ethernet", "none", NULL};
const char *const mdl_verb_names[VERB_COUNT + 1] = {
	"write_lat", "read_lat", "send_lat", "atomic_lat", "write_bw", "read_bw", "send_bw", "atomic_bw", NULL,
};
const char *const mdl_operation_names[VERB_OPERATIONS + 1] = {"write_lat", "read_lat", "send_lat", "atomic_lat", NULL};
const char *const mdl_atomic_names[ATOMIC_COUNT + 1] = {"fetch_and_add", "cmp_and_swap", NULL};
const char *const mdl_atomic_perftest_names[ATOMIC_COUNT] = {"FETCH_AND_ADD", "CMP_AND_SWAP"};
const char *const mdl_completion_names[COMPLETION_COUNT + 1] = {"poll", "event", NULL};

static const char *const option_keys[] = {
	"option", "summary", "placement", "same_host", "link", "completion_starts", "verbs", "completions",
	"request", "completion", "off_path", "read_request", "read_response", NULL,
};
static const char *const stage_keys[] = {
	"stage", "mechanism", "side", "cost", "per_page", "per_packet", "bytes_at", "per_chunk", "chunk_bytes", "once_per", "repeat", "verbs", "completions", "runs_on", "behind", NULL,
};
static const char *const side_names[] = {"sender", "receiver", NULL};
static const char *const once_per_names[] = {"message", "doorbell", NULL};
static const char *const runs_on_names[] = {"guest", "hypervisor", NULL};
static const char *const behind_names[] = {"posted_write", NULL};

/* The mechanisms that are one posted write of the device's: their time
 * holds one pcie.write_latency, which `behind: posted_write` takes off. */
static int is_posted_write(mdl_mechanism mechanism)
{
	return mechanism == MECH_CQE_DMA_WRITE || mechanism == MECH_MSI_INTERRUPT || mechanism == MECH_ASSIGNED_MSI;
}
static const char *const completion_start_names[] = {"on_arrival", "after_receiver", NULL};

static const char *const *mechanism_names(void)
{
	static const char *names[MECH_COUNT + 1];
	for (int i = 0; i < MECH_COUNT; i++)
		names[i] = mdl_mechanisms[i].name;
	names[MECH_COUNT] = NULL;
	return names;
}

/* A parameter of KIND named by NODE, for a cpu stage's cost. */
static int read_param(const yt_node *node, const char *what, vr_qkind kind, int *out, vr_diag *diag)
{
	const char *name;
	if (yr_string(node, what, &name, diag) != 0)
		return -1;
	int id = mdl_param_lookup(name);
	if (id < 0) {
		const char *near = vr_nearest(name, mdl_param_names());
		return vr_diag_at(diag, node->where, "found unknown parameter '%s' for %s, expected a %s parameter%s%s%s",
				  name, what, vr_qkind_name(kind), near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	}
	if (mdl_param_defs[id].kind != kind)
		return vr_diag_at(diag, node->where, "found '%s', a %s, for %s, expected a %s parameter",
				  name, vr_qkind_name(mdl_param_defs[id].kind), what, vr_qkind_name(kind));
	*out = id;
	return 0;
}

/* Read legs carry a message like a request does. */
static const unsigned path_bit[PATH_COUNT] = {ON_REQUEST, ON_COMPLETION, ON_OFF_PATH, ON_REQUEST, ON_REQUEST};

/* A mechanism on a path where it cannot happen (a DMA write of the payload
 * in the completion path, say). */
static int misplaced(const yt_node *at, const mdl_mechanism_info *m, mdl_path path, vr_diag *diag)
{
	const char *allowed[PATH_COUNT + 1];
	size_t n = 0;
	for (int k = 0; k < PATH_COUNT; k++)
		if (m->paths & path_bit[k])
			allowed[n++] = mdl_path_names[k];
	allowed[n] = NULL;
	char list[64];
	yr_join(allowed, list, sizeof list);
	return vr_diag_at(diag, at->where, "found mechanism '%s' in the %s path, expected it only in the %s path, where it happens",
			  m->name, mdl_path_names[path], list);
}

static int read_flags(const yt_node *list, const char *what, const char *const *names,
		      unsigned *out, vr_diag *diag);

/* A cpu stage's cost: any of a fixed cost, a cost per page, one per packet
 * and a rate for the bytes it touches; at least one. */
static int read_cpu_cost(const yt_node *node, mdl_stage *stage, vr_diag *diag)
{
	static const struct { const char *key, *what; vr_qkind kind; size_t offset; } parts[] = {
		{"cost", "the stage cost", VR_Q_TIME, offsetof(mdl_cpu_cost, fixed)},
		{"per_page", "the per-page cost", VR_Q_TIME, offsetof(mdl_cpu_cost, per_page)},
		{"per_packet", "the per-packet cost", VR_Q_TIME, offsetof(mdl_cpu_cost, per_packet)},
		{"bytes_at", "the rate the stage handles payload bytes at", VR_Q_RATE, offsetof(mdl_cpu_cost, bytes_rate)},
		{"per_chunk", "the cost per chunk of payload", VR_Q_TIME, offsetof(mdl_cpu_cost, per_chunk)},
		{"chunk_bytes", "the bytes of a chunk", VR_Q_SIZE, offsetof(mdl_cpu_cost, chunk_bytes)},
	};
	int given = 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		const yt_node *v = yt_get(node, parts[i].key);
		if (!v)
			continue;
		int *slot = (int *)((char *)&stage->cpu + parts[i].offset);
		if (read_param(v, parts[i].what, parts[i].kind, slot, diag) != 0)
			return -1;
		given++;
	}
	if (!given)
		return vr_diag_at(diag, node->where, "found a cpu stage without a cost, expected 'cost', 'per_page', 'per_packet', 'bytes_at' or 'per_chunk' naming a parameter");
	if ((stage->cpu.per_chunk < 0) != (stage->cpu.chunk_bytes < 0))
		return vr_diag_at(diag, node->where, "found '%s' without '%s' in a cpu stage, expected both (a cost per chunk and the chunk's bytes)",
				  stage->cpu.per_chunk < 0 ? "chunk_bytes" : "per_chunk", stage->cpu.per_chunk < 0 ? "per_chunk" : "chunk_bytes");
	return 0;
}

static int read_stage(const yt_node *node, mdl_path path, mdl_stage *stage, vr_diag *diag)
{
	const yt_node *v;
	const char *text;
	int choice;
	if (yr_expect(node, YT_MAP, "a stage", diag) || yr_known_keys(node, stage_keys, "a stage", diag) ||
	    yr_required(node, "stage", "a stage", &v, diag) || yr_string(v, "the stage name", &text, diag))
		return -1;
	if (strlen(text) >= MDL_NAME_MAX)
		return vr_diag_at(diag, v->where, "found a stage name of %zu characters, expected at most %d",
				  strlen(text), MDL_NAME_MAX - 1);
	if (text[strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789_")] != '\0')
		return vr_diag_at(diag, v->where, "found the stage name '%s', expected lower-case letters, digits and '_' only (it becomes a JSON and CSV key)",
				  text);
	memset(stage, 0, sizeof *stage);
	snprintf(stage->name, sizeof stage->name, "%s", text);
	stage->path = path;
	stage->line = node->where.line;
	stage->column = node->where.column;
	stage->cpu = (mdl_cpu_cost){-1, -1, -1, -1, -1, -1};
	stage->repeat_param = -1;
	stage->replay_times = -1.0;
	stage->measured_cycles = -1.0;
	stage->verbs = ~0u;
	stage->completions = ~0u;
	if (yr_required(node, "mechanism", "a stage", &v, diag) ||
	    yr_choice(v, "the mechanism", mechanism_names(), &choice, diag))
		return -1;
	stage->mechanism = (mdl_mechanism)choice;
	stage->side = mdl_mechanisms[choice].side;
	stage->per_doorbell = mdl_mechanisms[choice].per_doorbell;
	stage->server = mdl_mechanisms[choice].server;
	if (!(mdl_mechanisms[choice].paths & path_bit[path]))
		return misplaced(v, &mdl_mechanisms[choice], path, diag);
	int is_cpu = stage->mechanism == MECH_CPU;
	int is_fabric = stage->side == SIDE_FABRIC;
	static const char *const cpu_only[] = {"cost", "per_page", "per_packet", "bytes_at", "per_chunk", "chunk_bytes", "once_per", "runs_on"};
	for (size_t i = 0; i < sizeof cpu_only / sizeof cpu_only[0]; i++)
		if (!is_cpu && (v = yt_get(node, cpu_only[i])))
			return vr_diag_at(diag, v->where, "found '%s' on a '%s' stage, expected it only on 'cpu' stages",
					  cpu_only[i], mdl_mechanisms[choice].name);
	if ((v = yt_get(node, "side"))) {
		if (is_fabric)
			return vr_diag_at(diag, v->where, "found 'side' on a '%s' stage, expected it only on stages that run on one host",
					  mdl_mechanisms[choice].name);
		if (yr_choice(v, "the side", side_names, &choice, diag))
			return -1;
		stage->side = choice == 0 ? SIDE_SENDER : SIDE_RECEIVER;
	}
	/* A stage that happens a parameter's number of times per operation
	 * (the doorbells of a guest polling an empty CQ, say). */
	if ((v = yt_get(node, "repeat")) && read_param(v, "how many times the stage happens", VR_Q_RATIO, &stage->repeat_param, diag))
		return -1;
	if ((v = yt_get(node, "verbs")) && read_flags(v, "the stage's verbs", mdl_operation_names, &stage->verbs, diag))
		return -1;
	if ((v = yt_get(node, "completions")) &&
	    read_flags(v, "the stage's completion modes", mdl_completion_names, &stage->completions, diag))
		return -1;
	/* The off path is CPU time of the sender's that delays nothing; the
	 * completion path may run on both sides (an ACK's journey back). */
	if (path == PATH_OFF && stage->side == SIDE_RECEIVER)
		return vr_diag_at(diag, node->where, "found a receiver-side stage in the off_path path, expected the sender's work only");
	if (is_cpu && (v = yt_get(node, "once_per"))) {
		if (yr_choice(v, "how often the stage runs", once_per_names, &choice, diag))
			return -1;
		stage->per_doorbell = choice == 1;
	}
	/* Who runs a cpu stage's code: the guest on its vCPU, or the
	 * hypervisor (its backend threads) on the host; for many-flow runs. */
	if (is_cpu && (v = yt_get(node, "runs_on"))) {
		if (yr_choice(v, "where the stage runs", runs_on_names, &choice, diag))
			return -1;
		stage->server = choice == 1 ? SERVE_BACKEND : SERVE_VCPU;
	}
	if ((v = yt_get(node, "behind"))) {
		if (!is_posted_write(stage->mechanism))
			return vr_diag_at(diag, v->where,
					  "found 'behind' on a '%s' stage, expected it only on a device's posted write (cqe_dma_write, msi_interrupt, assigned_msi)",
					  mdl_mechanisms[stage->mechanism].name);
		if (yr_choice(v, "what the stage follows", behind_names, &choice, diag))
			return -1;
		stage->behind_posted_write = 1;
	}
	return is_cpu ? read_cpu_cost(node, stage, diag) : 0;
}

/* Is PATH part of an operation of VERB? */
static int path_serves(mdl_path path, mdl_verb verb)
{
	if (path == PATH_OFF)
		return 1;
	int read_path = path == PATH_READ_REQUEST || path == PATH_READ_RESPONSE;
	return read_path == mdl_verb_round_trip(verb);
}

/* Can stages A and B both be part of one operation?  Only then must their
 * names differ: a READ's guest_post_send and a WRITE's may share a name. */
static int ever_together(const mdl_stage *a, const mdl_stage *b)
{
	for (int v = 0; v < VERB_OPERATIONS; v++)
		for (int c = 0; c < COMPLETION_COUNT; c++)
			if (mdl_stage_applies(a, (mdl_verb)v, (mdl_completion)c) &&
			    mdl_stage_applies(b, (mdl_verb)v, (mdl_completion)c) &&
			    path_serves(a->path, (mdl_verb)v) && path_serves(b->path, (mdl_verb)v))
				return 1;
	return 0;
}

static int read_path(const yt_node *list, mdl_path path, mdl_option *out, vr_diag *diag)
{
	char what[64];
	snprintf(what, sizeof what, "the %s path", mdl_path_names[path]);
	if (yr_expect(list, YT_SEQ, what, diag) != 0)
		return -1;
	for (size_t i = 0; i < list->count; i++) {
		if (out->stage_count == MDL_STAGES_MAX)
			return vr_diag_at(diag, list->items[i]->where, "found more than %d stages, expected at most %d",
					  MDL_STAGES_MAX, MDL_STAGES_MAX);
		mdl_stage *stage = &out->stages[out->stage_count];
		if (read_stage(list->items[i], path, stage, diag) != 0)
			return -1;
		for (size_t j = 0; j < out->stage_count; j++)
			if (strcmp(out->stages[j].name, stage->name) == 0 && ever_together(&out->stages[j], stage))
				return vr_diag_at(diag, list->items[i]->where,
						  "found the stage name '%s' twice for the same verb, expected unique names (they key the breakdown)",
						  stage->name);
		out->stage_count++;
	}
	return 0;
}

static int read_flags(const yt_node *list, const char *what, const char *const *names,
		      unsigned *out, vr_diag *diag)
{
	if (yr_expect(list, YT_SEQ, what, diag) != 0)
		return -1;
	*out = 0;
	for (size_t i = 0; i < list->count; i++) {
		int choice;
		if (yr_choice(list->items[i], what, names, &choice, diag) != 0)
			return -1;
		*out |= 1u << choice;
	}
	if (*out == 0)
		return vr_diag_at(diag, list->where, "found an empty list for %s, expected at least one", what);
	return 0;
}

static vr_where stage_where(const mdl_option *opt, const mdl_stage *s)
{
	return (vr_where){opt->file, s->line, s->column};
}

/* The transfer stages a message path may take, route by route, for
 * messages: "'wire' and 'switch', ... or 'net_loopback'". */
static void transfer_choices(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int r = ROUTE_NONE + 1; r < ROUTE_COUNT; r++) {
		const char *before = r == ROUTE_NONE + 1 ? "" : r == ROUTE_COUNT - 1 ? " or " : ", ";
		int first = 1;
		for (int m = 0; m < MECH_COUNT; m++)
			if (mdl_mechanisms[m].part == PART_TRANSFER && (int)mdl_mechanisms[m].route == r && used < len) {
				used += (size_t)snprintf(buf + used, len - used, "%s'%s'", first ? before : " and ", mdl_mechanisms[m].name);
				first = 0;
			}
	}
}

_Static_assert(MECH_COUNT <= 64, "a message path's mechanisms are bits of a uint64_t");

/* A route's transfer is all of its transfer mechanisms (a fabric is a
 * cable to a switch and one from it).  SEEN has a bit per mechanism of the
 * path; the first one ROUTE has that SEEN lacks, or MECH_COUNT. */
static mdl_mechanism missing_transfer(mdl_route route, uint64_t seen, int *of_route)
{
	mdl_mechanism missing = MECH_COUNT;
	*of_route = 0;
	for (int m = MECH_COUNT - 1; m >= 0; m--)
		if (mdl_mechanisms[m].part == PART_TRANSFER && mdl_mechanisms[m].route == route) {
			(*of_route)++;
			if (!(seen & (UINT64_C(1) << m)))
				missing = (mdl_mechanism)m;
		}
	return missing;
}

/* A message path: one run of fabric stages, all of one route, each
 * mechanism once (together the transfer, plan.h).  Sets *ROUTE. */
static int check_message_path(const yt_node *root, const mdl_option *opt, mdl_path path,
			      mdl_route *route, vr_diag *diag)
{
	int stages = 0, first = -1, last = -1;
	uint64_t seen = 0;   /* a bit per mechanism */
	*route = ROUTE_NONE;
	for (size_t i = 0; i < opt->stage_count; i++) {
		const mdl_stage *s = &opt->stages[i];
		if (s->path != path)
			continue;
		stages++;
		if (mdl_mechanisms[s->mechanism].part != PART_TRANSFER)
			continue;
		mdl_route r = mdl_mechanisms[s->mechanism].route;
		if (*route != ROUTE_NONE && r != *route)
			return vr_diag_at(diag, stage_where(opt, s), "found '%s', a stage of the %s, in a %s path that crosses the %s, expected one route per path",
					  mdl_mechanisms[s->mechanism].name, mdl_route_names[r], mdl_path_names[path], mdl_route_names[*route]);
		if (seen & (UINT64_C(1) << s->mechanism))
			return vr_diag_at(diag, stage_where(opt, s), "found a second '%s' stage ('%s') in the %s path, expected one",
					  mdl_mechanisms[s->mechanism].name, s->name, mdl_path_names[path]);
		if (last >= 0 && last != (int)i - 1)
			return vr_diag_at(diag, stage_where(opt, s), "found the fabric stage '%s' apart from '%s', expected the fabric stages of a path next to each other",
					  s->name, opt->stages[last].name);
		seen |= UINT64_C(1) << s->mechanism;
		*route = r;
		if (first < 0)
			first = (int)i;
		last = (int)i;
	}
	if (stages == 0 && path != PATH_REQUEST)
		return 0;   /* the option does not describe this path */
	const yt_node *list = yt_get(root, mdl_path_names[path]);
	if (*route == ROUTE_NONE) {
		char choices[256];
		transfer_choices(choices, sizeof choices);
		return vr_diag_at(diag, list->where, "found no fabric stage in the %s path, expected %s",
				  mdl_path_names[path], choices);
	}
	int of_route;
	mdl_mechanism missing = missing_transfer(*route, seen, &of_route);
	if (missing != MECH_COUNT)
		return vr_diag_at(diag, stage_where(opt, &opt->stages[first]), "found '%s' without '%s' in the %s path, expected %s",
				  mdl_mechanisms[opt->stages[first].mechanism].name, mdl_mechanisms[missing].name,
				  mdl_path_names[path], of_route == 2 ? "both" : "all the stages of its route");
	return 0;
}

/* An ACK mechanism belongs to one route: the option's. */
static int check_acks(const mdl_option *opt, vr_diag *diag)
{
	for (size_t i = 0; i < opt->stage_count; i++) {
		const mdl_stage *s = &opt->stages[i];
		const mdl_mechanism_info *m = &mdl_mechanisms[s->mechanism];
		if (m->part == PART_ACK && m->route != opt->route)
			return vr_diag_at(diag, stage_where(opt, s), "found '%s' in an option whose messages take the %s, expected it only with the %s",
					  m->name, mdl_route_names[opt->route], mdl_route_names[m->route]);
	}
	return 0;
}

/* Message paths are well formed and take one route that suits the
 * placement; an option that runs read_lat has both read paths. */
static int check_shape(const yt_node *root, mdl_option *opt, vr_diag *diag)
{
	static const mdl_path message_paths[] = {PATH_REQUEST, PATH_READ_REQUEST, PATH_READ_RESPONSE};
	for (size_t k = 0; k < sizeof message_paths / sizeof message_paths[0]; k++) {
		mdl_route route;
		if (check_message_path(root, opt, message_paths[k], &route, diag) != 0)
			return -1;
		if (k == 0)
			opt->route = route;
		else if (route != ROUTE_NONE && route != opt->route)
			return vr_diag_at(diag, yt_get(root, mdl_path_names[message_paths[k]])->where,
					  "found the %s path crossing the %s, expected the request path's %s",
					  mdl_path_names[message_paths[k]], mdl_route_names[route], mdl_route_names[opt->route]);
	}
	int between_hosts = mdl_route_between_hosts(opt->route);
	if (between_hosts != (opt->placement == PLACE_DIFFERENT_HOSTS))
		return vr_diag_at(diag, yt_get(root, "placement")->where,
				  "found placement '%s' for messages that take the %s, expected '%s'",
				  mdl_placement_names[opt->placement], mdl_route_names[opt->route],
				  between_hosts ? "different-hosts" : "same-host");
	for (int v = VERB_READ_LAT; v < VERB_OPERATIONS; v++)
		if (mdl_verb_round_trip((mdl_verb)v) && (opt->verbs & (1u << v)) &&
		    (!yt_get(root, "read_request") || !yt_get(root, "read_response")))
			return vr_diag_at(diag, yt_get(root, "verbs")->where,
					  "found %s in the verbs without both 'read_request' and 'read_response' paths, expected both",
					  mdl_verb_names[v]);
	return check_acks(opt, diag);
}

int mdl_stage_applies(const mdl_stage *stage, mdl_verb verb, mdl_completion completion)
{
	return (stage->verbs & (1u << mdl_verb_operation(verb))) && (stage->completions & (1u << completion));
}

int mdl_option_runs(const mdl_option *option, mdl_verb verb)
{
	return (option->verbs & (1u << mdl_verb_operation(verb))) != 0;
}

static int parse_option(const yt_doc *doc, mdl_option *out, vr_diag *diag)
{
	const yt_node *root = doc->root, *v;
	const char *text;
	int choice;
	memset(out, 0, sizeof *out);
	snprintf(out->file, sizeof out->file, "%s", doc->file);
	if (!root)
		return vr_diag_at(diag, (vr_where){doc->file, 0, 0}, "found an empty file, expected an option description");
	if (yr_document(root, option_keys, "an option description", diag) ||
	    yr_required(root, "option", "an option description", &v, diag) ||
	    yr_string(v, "the option name", &text, diag))
		return -1;
	if (!vr_is_identifier(text) || strlen(text) >= sizeof out->name)
		return vr_diag_at(diag, v->where, "found the option name '%s', expected at most %zu letters, digits, '_', '.' and '-'",
				  text, sizeof out->name - 1);
	snprintf(out->name, sizeof out->name, "%s", text);
	if (yr_required(root, "summary", "an option description", &v, diag) ||
	    yr_string(v, "the summary", &text, diag))
		return -1;
	snprintf(out->summary, sizeof out->summary, "%s", text);
	if (yr_required(root, "placement", "an option description", &v, diag) ||
	    yr_choice(v, "the placement", mdl_placement_names, &choice, diag))
		return -1;
	out->placement = (mdl_placement)choice;
	if ((v = yt_get(root, "same_host"))) {
		if (yr_string(v, "the option for VMs on one host", &text, diag))
			return -1;
		if (out->placement != PLACE_DIFFERENT_HOSTS)
			return vr_diag_at(diag, v->where, "found same_host '%s' in an option of placement %s, expected it only with placement different-hosts (it names that option's counterpart inside one host)",
					  text, mdl_placement_names[out->placement]);
		if (!vr_is_identifier(text) || strlen(text) >= sizeof out->same_host)
			return vr_diag_at(diag, v->where, "found '%s' for same_host, expected an option's name", text);
		snprintf(out->same_host, sizeof out->same_host, "%s", text);
	}
	out->link = LINK_INFINIBAND;
	if ((v = yt_get(root, "completion_starts"))) {
		if (yr_choice(v, "when the completion path starts", completion_start_names, &choice, diag))
			return -1;
		out->completion_after_receiver = choice == 1;
	}
	if ((v = yt_get(root, "link"))) {
		if (yr_choice(v, "the link", mdl_link_names, &choice, diag))
			return -1;
		out->link = (mdl_link)choice;
	}
	if (yr_required(root, "verbs", "an option description", &v, diag) ||
	    read_flags(v, "the verbs", mdl_operation_names, &out->verbs, diag) ||
	    yr_required(root, "completions", "an option description", &v, diag) ||
	    read_flags(v, "the completion modes", mdl_completion_names, &out->completions, diag) ||
	    yr_required(root, "request", "an option description", &v, diag) ||
	    read_path(v, PATH_REQUEST, out, diag) ||
	    yr_required(root, "completion", "an option description", &v, diag) ||
	    read_path(v, PATH_COMPLETION, out, diag))
		return -1;
	static const mdl_path optional_paths[] = {PATH_OFF, PATH_READ_REQUEST, PATH_READ_RESPONSE};
	for (size_t k = 0; k < sizeof optional_paths / sizeof optional_paths[0]; k++)
		if ((v = yt_get(root, mdl_path_names[optional_paths[k]])) && read_path(v, optional_paths[k], out, diag))
			return -1;
	return check_shape(root, out, diag);
}

int mdl_option_load(const char *name, const char *base_file, vr_where where,
		    mdl_option *out, vr_diag *diag)
{
	yt_doc doc;
	if (vr_catalog_load("models/options", "option", name, base_file, where, &doc, diag) != 0)
		return -1;
	int rc = parse_option(&doc, out, diag);
	if (rc == 0 && !vr_catalog_is_path(name) && strcmp(out->name, name) != 0)
		rc = vr_diag_at(diag, yt_get(doc.root, "option")->where,
				"found option name '%s' in the file for '%s', expected them to match", out->name, name);
	yt_free(&doc);
	return rc;
}
