package tocktest

// Initech is a second organization Alice owns, so moving a project between
// two organizations of one owner ("Transfer Projects (Same Account)") can be
// probed. Walt is a user there too (his time may follow a project), Bob
// only a user (owner of neither side).
const (
	Initech        = "orginitech00001"
	AliceInInitech = "mbralice0000002"
	WaltInInitech  = "mbrwalt00000002"
	BobInInitech   = "mbrbob000000002"
)

// seedPlan adds Initech to the matrix seed.
func seedPlan(s *Seeder) {
	s.Org(Initech, "Initech", nil)
	s.Member(AliceInInitech, Initech, Alice, "owner")
	s.Member(WaltInInitech, Initech, Walt, "user")
	s.Member(BobInInitech, Initech, Bob, "user")
}
