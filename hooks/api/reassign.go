package api

// ReassignRoute moves a 10-minute time block, with its screenshots and app
// usage, to another project or task: the matrix's "Modify (Move/Reassign/
// Delete) Screenshots". A screenshot can't change project apart from its
// block, so the block moves whole, which is also what `limited` allows.
const ReassignRoute = "/api/tock/activities/{id}/reassign"

// Reassignment is the body of a reassignment: the block's new project and task.
type Reassignment struct {
	Project string `json:"project"`
	Task    string `json:"task"`
}
