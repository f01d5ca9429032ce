#! /usr/bin/atf-sh
# t_secmodel_jail.sh -- ATF shell tests of the sysctl(8) view of
# secmodel_jail, as an unprivileged host user.  Needs a loaded module.

loaded() {
	sysctl -n security.models.jail.name >/dev/null 2>&1 ||
	    atf_skip "secmodel_jail is not loaded (modload secmodel_jail)"
}

atf_test_case sysctl_view
sysctl_view_head() {
	atf_set "descr" "any host user reads the model name and its own jail ID (0)"
	atf_set "require.user" "unprivileged"
}
sysctl_view_body() {
	loaded
	atf_check -o inline:"NetBSD Jail\n" sysctl -n security.models.jail.name
	atf_check -o inline:"0\n" sysctl -n security.models.jail.id
}

atf_test_case users_cannot_destroy_or_enter
users_cannot_destroy_or_enter_head() {
	atf_set "descr" "an unprivileged host user can neither destroy nor enter a jail"
	atf_set "require.user" "unprivileged"
}
users_cannot_destroy_or_enter_body() {
	loaded
	atf_check -s not-exit:0 -e ignore sysctl -w security.models.jail.destroy=1
	atf_check -s not-exit:0 -e ignore sysctl -w security.models.jail.id=1
}

atf_init_test_cases() {
	atf_add_test_case sysctl_view
	atf_add_test_case users_cannot_destroy_or_enter
}
