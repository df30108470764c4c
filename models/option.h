/*
 * option.h - a way of giving a VM RDMA, described as data: the stages an
 * operation passes through, each naming a mechanism (mechanism.h).
 *
 * An option file (models/options/NAME.yaml) lists three paths:
 *   request:    post to "the payload is visible to the responder's poller";
 *               for VMs on different hosts it contains one `wire` stage,
 *               which splits it into sender-side, fabric and receiver-side
 *               parts;
 *   completion: from the data reaching the responder's HCA to the
 *               requester consuming its CQE (runs beside the next request);
 *   off_path:   CPU work that occupies a core but delays no message (the VM
 *               entry after a trap).
 * Stage names are the keys of the latency breakdown: unique per option.
 */
#ifndef MDL_OPTION_H
#define MDL_OPTION_H

#include "models/mechanism.h"
#include "sim/diag.h"

enum { MDL_STAGES_MAX = 32, MDL_NAME_MAX = 48 };

typedef enum mdl_path { PATH_REQUEST, PATH_COMPLETION, PATH_OFF, PATH_COUNT } mdl_path;

typedef enum mdl_placement { PLACE_DIFFERENT_HOSTS, PLACE_COUNT } mdl_placement;

typedef enum mdl_verb { VERB_WRITE_LAT, VERB_COUNT } mdl_verb;

typedef enum mdl_completion { COMPLETION_POLL, COMPLETION_COUNT } mdl_completion;

extern const char *const mdl_path_names[PATH_COUNT + 1];
extern const char *const mdl_placement_names[PLACE_COUNT + 1];
extern const char *const mdl_verb_names[VERB_COUNT + 1];
extern const char *const mdl_completion_names[COMPLETION_COUNT + 1];

typedef struct mdl_stage {
	char name[MDL_NAME_MAX];
	mdl_mechanism mechanism;
	mdl_path path;
	mdl_side side;           /* MECH_CPU: whose CPU; otherwise the mechanism's */
	int cost_param;          /* MECH_CPU: parameter id of the cost, else -1 */
	int per_page_param;      /* MECH_CPU: optional per guest page cost, else -1 */
	unsigned line, column;   /* where the stage is written in the option file */
} mdl_stage;

typedef struct mdl_option {
	char name[MDL_NAME_MAX];
	char summary[256];
	char file[256];          /* the option file, for messages */
	mdl_placement placement;
	unsigned verbs;          /* bit per mdl_verb it can run */
	unsigned completions;    /* bit per mdl_completion */
	size_t stage_count;
	mdl_stage stages[MDL_STAGES_MAX];
} mdl_option;

/* Load option NAME (catalogue name or path; see catalog.h).  WHERE locates
 * the name in the scenario for "unknown option" errors. */
int mdl_option_load(const char *name, const char *base_file, vr_where where,
		    mdl_option *out, vr_diag *diag);

/* Parse an already loaded option document (used by the loader and tests). */
int mdl_option_parse(const struct yt_doc *doc, mdl_option *out, vr_diag *diag);

#endif
