/*
 * host_info.c - the host's description for a VM-exit dataset.
 */
#include "calibration/vmexits/host_info.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

/* The first line of PATH, without its newline, into OUT ("" if none). */
static void first_line(const char *path, char *out, size_t size)
{
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(out, (int)size, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* Whether the space-separated FLAGS list holds WORD. */
static int has_flag(const char *flags, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = flags; (p = strstr(p, word)) != NULL; p += n)
		if ((p == flags || p[-1] == ' ' || p[-1] == '\t') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

static void read_cpuinfo(vmx_host_info *info)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[8192];
	int model_seen = 0, flags_seen = 0;
	while (fgets(line, sizeof line, f) && !(model_seen && flags_seen)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		const char *value = colon + 1 + (colon[1] == ' ');
		if (!model_seen && strncmp(line, "model name", 10) == 0) {
			snprintf(info->cpu_model, sizeof info->cpu_model, "%s", value);
			info->cpu_model[strcspn(info->cpu_model, "\n")] = '\0';
			model_seen = 1;
		} else if (!flags_seen && strncmp(line, "flags", 5) == 0) {
			info->hypervisor_flag = has_flag(value, "hypervisor");
			info->vmx_or_svm_flag = has_flag(value, "vmx") || has_flag(value, "svm");
			flags_seen = 1;
		}
	}
	fclose(f);
}

void vmx_host_info_read(vmx_host_info *info)
{
	memset(info, 0, sizeof *info);
	snprintf(info->cpu_model, sizeof info->cpu_model, "unknown");
	read_cpuinfo(info);
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(info->kernel, sizeof info->kernel, "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
	first_line("/sys/class/dmi/id/sys_vendor", info->dmi_vendor, sizeof info->dmi_vendor);
	first_line("/sys/class/dmi/id/product_name", info->dmi_product, sizeof info->dmi_product);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	info->cpus_online = n > 0 ? (int)n : 1;
}

void vmx_load_average(double load[3])
{
	load[0] = load[1] = load[2] = -1;
	if (getloadavg(load, 3) != 3)
		load[0] = load[1] = load[2] = -1;
}

static double raw_now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t host_tsc(void)
{
	return __builtin_ia32_rdtsc();
}

double vmx_host_tsc_khz(double seconds)
{
	double t0 = raw_now_s();
	uint64_t c0 = host_tsc();
	double t1;
	do
		t1 = raw_now_s();
	while (t1 - t0 < seconds);
	uint64_t c1 = host_tsc();
	return t1 > t0 ? (double)(c1 - c0) / (t1 - t0) / 1e3 : 0.0;
}

void vmx_write_kvm_params(FILE *out, int indent)
{
	static const char *const modules[] = {"kvm", "kvm_intel", "kvm_amd", "kvm_pvm", NULL};
	for (size_t m = 0; modules[m]; m++) {
		char dir_path[128];
		snprintf(dir_path, sizeof dir_path, "/sys/module/%s/parameters", modules[m]);
		struct dirent **names;
		int n = scandir(dir_path, &names, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			char path[512], value[128];
			snprintf(path, sizeof path, "%s/%s", dir_path, names[i]->d_name);
			if (names[i]->d_name[0] != '.') {
				first_line(path, value, sizeof value);
				fprintf(out, "%*s%s.%s: ", indent, "", modules[m], names[i]->d_name);
				vr_yaml_quoted(out, value);
				fputc('\n', out);
			}
			free(names[i]);
		}
		if (n >= 0)
			free(names);
	}
}

const char *vmx_kvm_vendor_module(void)
{
	static const char *const vendors[] = {"kvm_intel", "kvm_amd", "kvm_pvm", NULL};
	for (size_t i = 0; vendors[i]; i++) {
		char path[128];
		snprintf(path, sizeof path, "/sys/module/%s", vendors[i]);
		if (access(path, F_OK) == 0)
			return vendors[i];
	}
	return "unknown";
}

