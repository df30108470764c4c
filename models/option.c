/*
 * option.c - loading and validating option descriptions.
 */
#include "models/option.h"

#include <stdio.h>
#include <string.h>

#include "sim/catalog.h"
#include "sim/yaml_read.h"

const char *const mdl_path_names[PATH_COUNT + 1] = {"request", "completion", "off_path", NULL};
const char *const mdl_placement_names[PLACE_COUNT + 1] = {"different-hosts", NULL};
const char *const mdl_verb_names[VERB_COUNT + 1] = {"write_lat", NULL};
const char *const mdl_completion_names[COMPLETION_COUNT + 1] = {"poll", NULL};

static const char *const option_keys[] = {
	"option", "summary", "placement", "verbs", "completions",
	"request", "completion", "off_path", NULL,
};
static const char *const stage_keys[] = {"stage", "mechanism", "side", "cost", "per_page", NULL};
static const char *const side_names[] = {"requester", "responder", NULL};

static const char *const *mechanism_names(void)
{
	static const char *names[MECH_COUNT + 1];
	for (int i = 0; i < MECH_COUNT; i++)
		names[i] = mdl_mechanisms[i].name;
	names[MECH_COUNT] = NULL;
	return names;
}

/* A TIME parameter named by NODE, for a cpu stage's cost. */
static int read_time_param(const yt_node *node, const char *what, int *out, vr_diag *diag)
{
	const char *name;
	if (yr_string(node, what, &name, diag) != 0)
		return -1;
	int id = mdl_param_lookup(name);
	if (id < 0) {
		const char *near = vr_nearest(name, mdl_param_names());
		return vr_diag_at(diag, node->where, "found unknown parameter '%s' for %s, expected a time parameter%s%s%s",
				  name, what, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	}
	if (mdl_param_defs[id].kind != VR_Q_TIME)
		return vr_diag_at(diag, node->where, "found '%s', a %s, for %s, expected a time parameter",
				  name, vr_qkind_name(mdl_param_defs[id].kind), what);
	*out = id;
	return 0;
}

static const unsigned path_bit[PATH_COUNT] = {ON_REQUEST, ON_COMPLETION, ON_OFF_PATH};

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
	stage->cost_param = -1;
	stage->per_page_param = -1;
	if (yr_required(node, "mechanism", "a stage", &v, diag) ||
	    yr_choice(v, "the mechanism", mechanism_names(), &choice, diag))
		return -1;
	stage->mechanism = (mdl_mechanism)choice;
	stage->side = mdl_mechanisms[choice].side;
	if (!(mdl_mechanisms[choice].paths & path_bit[path]))
		return misplaced(v, &mdl_mechanisms[choice], path, diag);
	int is_cpu = stage->mechanism == MECH_CPU;
	static const char *const cpu_only[] = {"cost", "per_page", "side"};
	for (size_t i = 0; i < sizeof cpu_only / sizeof cpu_only[0]; i++)
		if (!is_cpu && (v = yt_get(node, cpu_only[i])))
			return vr_diag_at(diag, v->where, "found '%s' on a '%s' stage, expected it only on 'cpu' stages",
					  cpu_only[i], mdl_mechanisms[choice].name);
	if (!is_cpu)
		return 0;
	if (yr_required(node, "cost", "a cpu stage", &v, diag) ||
	    read_time_param(v, "the stage cost", &stage->cost_param, diag))
		return -1;
	if ((v = yt_get(node, "per_page")) && read_time_param(v, "the per-page cost", &stage->per_page_param, diag))
		return -1;
	if ((v = yt_get(node, "side"))) {
		if (yr_choice(v, "the side", side_names, &choice, diag))
			return -1;
		stage->side = choice == 0 ? SIDE_REQUESTER : SIDE_RESPONDER;
	}
	if (path != PATH_REQUEST && stage->side == SIDE_RESPONDER)
		return vr_diag_at(diag, node->where, "found a responder-side stage in the %s path, expected requester-side work only",
				  mdl_path_names[path]);
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
			if (strcmp(out->stages[j].name, stage->name) == 0)
				return vr_diag_at(diag, list->items[i]->where, "found the stage name '%s' twice, expected unique stage names",
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

/* Different hosts: one wire stage, the switch right after it; together they
 * are the fabric transfer (plan.h).  Wire and switch stages can only sit in
 * the request path: read_stage checked that. */
static int check_shape(const yt_node *root, const mdl_option *opt, vr_diag *diag)
{
	int wire = -1, switch_at = -1;
	for (size_t i = 0; i < opt->stage_count; i++) {
		const mdl_stage *s = &opt->stages[i];
		int *seen = s->mechanism == MECH_WIRE ? &wire : s->mechanism == MECH_SWITCH ? &switch_at : NULL;
		if (!seen)
			continue;
		if (*seen >= 0)
			return vr_diag_at(diag, stage_where(opt, s), "found a second '%s' stage ('%s'), expected one",
					  mdl_mechanisms[s->mechanism].name, s->name);
		*seen = (int)i;
	}
	if (opt->placement != PLACE_DIFFERENT_HOSTS)
		return 0;
	const yt_node *request = yt_get(root, "request");
	if (wire < 0)
		return vr_diag_at(diag, request->where,
				  "found no 'wire' stage in the request path, expected one for VMs on different hosts");
	if (switch_at != wire + 1)
		return vr_diag_at(diag, switch_at < 0 ? request->where : stage_where(opt, &opt->stages[switch_at]),
				  "found %s, expected a 'switch' stage right after the 'wire' stage '%s'",
				  switch_at < 0 ? "no 'switch' stage" : "the 'switch' stage elsewhere", opt->stages[wire].name);
	return 0;
}

int mdl_option_parse(const yt_doc *doc, mdl_option *out, vr_diag *diag)
{
	const yt_node *root = doc->root, *v;
	const char *text;
	int choice;
	memset(out, 0, sizeof *out);
	snprintf(out->file, sizeof out->file, "%s", doc->file);
	if (!root)
		return vr_diag_at(diag, (vr_where){doc->file, 0, 0}, "found an empty file, expected an option description");
	if (yr_expect(root, YT_MAP, "an option description", diag) ||
	    yr_known_keys(root, option_keys, "an option description", diag) ||
	    yr_required(root, "option", "an option description", &v, diag) ||
	    yr_string(v, "the option name", &text, diag))
		return -1;
	snprintf(out->name, sizeof out->name, "%s", text);
	if (yr_required(root, "summary", "an option description", &v, diag) ||
	    yr_string(v, "the summary", &text, diag))
		return -1;
	snprintf(out->summary, sizeof out->summary, "%s", text);
	if (yr_required(root, "placement", "an option description", &v, diag) ||
	    yr_choice(v, "the placement", mdl_placement_names, &choice, diag))
		return -1;
	out->placement = (mdl_placement)choice;
	if (yr_required(root, "verbs", "an option description", &v, diag) ||
	    read_flags(v, "the verbs", mdl_verb_names, &out->verbs, diag) ||
	    yr_required(root, "completions", "an option description", &v, diag) ||
	    read_flags(v, "the completion modes", mdl_completion_names, &out->completions, diag) ||
	    yr_required(root, "request", "an option description", &v, diag) ||
	    read_path(v, PATH_REQUEST, out, diag) ||
	    yr_required(root, "completion", "an option description", &v, diag) ||
	    read_path(v, PATH_COMPLETION, out, diag))
		return -1;
	if ((v = yt_get(root, "off_path")) && read_path(v, PATH_OFF, out, diag))
		return -1;
	return check_shape(root, out, diag);
}

int mdl_option_load(const char *name, const char *base_file, vr_where where,
		    mdl_option *out, vr_diag *diag)
{
	yt_doc doc;
	if (vr_catalog_load("models/options", "option", name, base_file, where, &doc, diag) != 0)
		return -1;
	int rc = mdl_option_parse(&doc, out, diag);
	if (rc == 0 && !vr_catalog_is_path(name) && strcmp(out->name, name) != 0)
		rc = vr_diag_at(diag, yt_get(doc.root, "option")->where,
				"found option name '%s' in the file for '%s', expected them to match", out->name, name);
	yt_free(&doc);
	return rc;
}
